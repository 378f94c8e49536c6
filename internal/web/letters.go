package web

import (
	"net/url"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/mail"
	"samen/internal/web/i18n"
	"samen/internal/workspace"
)

// Letters writes the mails of accounts and the atlas in the reader's
// language, with links to the site's base URL. cmd/samen gives one to each
// service that sends mail; the wording lives with the pages' messages.
type Letters struct {
	base *url.URL
	msgs i18n.Catalogue
}

// NewLetters makes the mail writer for a site at baseURL (absolute, without
// trailing slash).
func NewLetters(baseURL string) (*Letters, error) {
	base, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	return &Letters{base: base, msgs: i18n.MustLoad()}, nil
}

func (l *Letters) lang(u account.User) string {
	if lang := i18n.Supported(u.Language); lang != "" {
		return lang
	}
	return i18n.Languages[0]
}

func (l *Letters) link(path string, q url.Values) string {
	u := *l.base
	u.Path = u.Path + path
	u.RawQuery = q.Encode()
	return u.String()
}

func (l *Letters) write(u account.User, key string, args ...any) mail.Message {
	lang := l.lang(u)
	args = append(args, "name", u.DisplayName(), "site", l.msgs.T(lang, "site.name"))
	return mail.Message{
		To:      u.Email,
		Subject: l.msgs.T(lang, "mail."+key+".subject", args...),
		Body:    l.msgs.T(lang, "mail."+key+".body", args...),
	}
}

func (l *Letters) Verify(u account.User, token string) mail.Message {
	return l.write(u, "verify", "link", l.link("/verify", url.Values{"token": {token}}))
}

func (l *Letters) Confirm(u account.User, token string) mail.Message {
	return l.write(u, "confirm", "link", l.link("/password/reset", url.Values{"token": {token}}))
}

func (l *Letters) AlreadyRegistered(u account.User) mail.Message {
	return l.write(u, "already_registered", "login", l.link("/login", nil), "reset", l.link("/password/forgot", nil))
}

func (l *Letters) Reset(u account.User, token string) mail.Message {
	return l.write(u, "reset", "link", l.link("/password/reset", url.Values{"token": {token}}))
}

// The atlas's mails. A contact message goes to an initiative, whose
// language samen does not know: it is written in both.

func (l *Letters) Contact(in atlas.Initiative, from, replyTo, message string) mail.Message {
	var subject, body []string
	for _, lang := range i18n.Languages {
		args := []any{"initiative", in.Name, "from", from, "message", message, "site", l.msgs.T(lang, "site.name"),
			"page", l.link(atlasLink(in.ID), nil)}
		subject = append(subject, l.msgs.T(lang, "mail.contact.subject", args...))
		body = append(body, l.msgs.T(lang, "mail.contact.body", args...))
	}
	return mail.Message{To: in.Contact.Email, ReplyTo: replyTo, Subject: strings.Join(subject, " / "), Body: strings.Join(body, "\n\n-----\n\n")}
}

func (l *Letters) ReviewSoon(in atlas.Initiative, to account.User, stage int, when time.Time) mail.Message {
	key := "review_soon"
	if stage >= 3 {
		key = "archive_soon"
	}
	return l.write(to, key, "initiative", in.Name, "date", when.In(amsterdam).Format("2006-01-02"),
		"link", l.link(atlasLink(in.ID), nil))
}

func (l *Letters) Decided(in atlas.Initiative, to account.User, accepted bool, reason string) mail.Message {
	key := "proposal_rejected"
	if accepted {
		key = "proposal_accepted"
	}
	return l.write(to, key, "initiative", in.Name, "reason", reason, "link", l.link(atlasLink(in.ID), nil))
}

// The workspaces' mails. An invitation goes to an address that may have no
// account, so its language is unknown: it is written in both.

func (l *Letters) Invitation(ws workspace.Workspace, from, to string, circle workspace.Circle, token string, expires time.Time) mail.Message {
	var subject, body []string
	link := l.link("/workspaces/invitation", url.Values{"token": {token}})
	for _, lang := range i18n.Languages {
		args := []any{"workspace", ws.Name, "from", from, "circle", l.msgs.T(lang, "workspace.circle."+string(circle)),
			"link", link, "date", expires.In(amsterdam).Format("2006-01-02"), "site", l.msgs.T(lang, "site.name")}
		subject = append(subject, l.msgs.T(lang, "mail.ws_invitation.subject", args...))
		body = append(body, l.msgs.T(lang, "mail.ws_invitation.body", args...))
	}
	return mail.Message{To: to, Subject: strings.Join(subject, " / "), Body: strings.Join(body, "\n\n-----\n\n")}
}

func (l *Letters) JoinRequested(ws workspace.Workspace, to account.User, who string) mail.Message {
	return l.write(to, "ws_join_requested", "workspace", ws.Name, "who", who, "link", l.link(workspaceLink(ws)+"/people", nil))
}

func (l *Letters) JoinDecided(ws workspace.Workspace, to account.User, accepted bool) mail.Message {
	key := "ws_join_declined"
	if accepted {
		key = "ws_join_accepted"
	}
	return l.write(to, key, "workspace", ws.Name, "link", l.link(workspaceLink(ws), nil))
}
