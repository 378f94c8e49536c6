package web

import (
	"net/url"

	"samen/internal/account"
	"samen/internal/mail"
	"samen/internal/web/i18n"
)

// letters writes the account mails in the person's language, with links to
// this site's base URL.
type letters struct{ s *Server }

func (l letters) lang(u account.User) string {
	if lang := i18n.Supported(u.Language); lang != "" {
		return lang
	}
	return i18n.Languages[0]
}

func (l letters) link(path string, q url.Values) string {
	u := *l.s.base
	u.Path = u.Path + path
	u.RawQuery = q.Encode()
	return u.String()
}

func (l letters) write(u account.User, key string, args ...any) mail.Message {
	lang := l.lang(u)
	args = append(args, "name", u.DisplayName(), "site", l.s.msgs.T(lang, "site.name"))
	return mail.Message{
		To:      u.Email,
		Subject: l.s.msgs.T(lang, "mail."+key+".subject", args...),
		Body:    l.s.msgs.T(lang, "mail."+key+".body", args...),
	}
}

func (l letters) Verify(u account.User, token string) mail.Message {
	return l.write(u, "verify", "link", l.link("/verify", url.Values{"token": {token}}))
}

func (l letters) Confirm(u account.User, token string) mail.Message {
	return l.write(u, "confirm", "link", l.link("/password/reset", url.Values{"token": {token}}))
}

func (l letters) AlreadyRegistered(u account.User) mail.Message {
	return l.write(u, "already_registered", "login", l.link("/login", nil), "reset", l.link("/password/forgot", nil))
}

func (l letters) Reset(u account.User, token string) mail.Message {
	return l.write(u, "reset", "link", l.link("/password/reset", url.Values{"token": {token}}))
}
