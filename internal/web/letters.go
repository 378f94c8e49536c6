package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/decide"
	"samen/internal/fund"
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
	// texts keeps the last announcement's texts (see Announcement).
	texts struct {
		sync.Mutex
		key  string
		text announcementText
	}
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

// Announcement is one person's copy of an announcement: the text as the
// sender wrote it, then who sent it and how to stop these mails, in the
// reader's language when the register knows it (they have an account and
// chose one) and in both otherwise. The unsubscribe link is also the
// List-Unsubscribe header, with one-click (RFC 8058). An announcement is
// written for thousands of people in a row, who differ only in language
// and link: the texts are made once per announcement and language, and
// only the link is put in for each person.
func (l *Letters) Announcement(ws workspace.Workspace, a workspace.Announcement, from string, to workspace.Recipient) mail.Message {
	langs := i18n.Languages
	if lang := i18n.Supported(to.Language); lang != "" {
		langs = []string{lang}
	}
	unsubscribe := l.link(workspaceLink(ws)+"/unsubscribe", url.Values{"token": {to.Token}})
	text := l.announcementText(ws, a, from, langs)
	return mail.Message{
		To:              to.Email,
		Subject:         text.subject,
		Body:            strings.Join(text.body, unsubscribe),
		ListUnsubscribe: unsubscribe,
		OneClick:        true,
	}
}

// announcementText is an announcement's mail without the person's link,
// which goes between the pieces of body.
type announcementText struct {
	subject string
	body    []string
}

// unsubscribeMark stands for the link while the text is made.
const unsubscribeMark = "\x00unsubscribe\x00"

func (l *Letters) announcementText(ws workspace.Workspace, a workspace.Announcement, from string, langs []string) announcementText {
	key := fmt.Sprint(ws.ID, "/", a.ID, "/", a.CreatedAt.UnixNano(), "/", len(a.Body), "/", from, "/", strings.Join(langs, "+"))
	l.texts.Lock()
	defer l.texts.Unlock()
	if l.texts.key == key {
		return l.texts.text
	}
	var signed, footer []string
	for _, lang := range langs {
		args := []any{"workspace", ws.Name, "from", from, "site", l.msgs.T(lang, "site.name"),
			"page", l.link(workspaceLink(ws)+"/announcements", nil), "unsubscribe", unsubscribeMark}
		signed = append(signed, l.msgs.T(lang, "mail.ws_announcement.signed", args...))
		footer = append(footer, l.msgs.T(lang, "mail.ws_announcement.footer", args...))
	}
	body := a.Title + "\n\n" + a.Body + "\n\n" + strings.Join(signed, " / ") + "\n\n-----\n\n" + strings.Join(footer, "\n\n")
	text := announcementText{subject: l.msgs.T(langs[0], "mail.ws_announcement.subject", "workspace", ws.Name, "title", a.Title),
		body: strings.Split(body, unsubscribeMark)}
	l.texts.key, l.texts.text = key, text
	return text
}

// The decisions' mails.

// VoteReminder tells someone who has not voted that voting closes soon.
func (l *Letters) VoteReminder(d decide.Decision, to account.User) mail.Message {
	return l.write(to, "vote_reminder", "title", d.Title, "date", d.ClosesAt.In(amsterdam).Format("2006-01-02 15:04"),
		"link", l.link(decisionLink(d.ID), nil))
}

// The mails of funding.

// Update is an update of a campaign for one backer, in the language they
// gave in, with the link that stops these mails (also as List-Unsubscribe,
// one-click: RFC 8058).
func (l *Letters) Update(c fund.Campaign, u fund.Update, to fund.Backer) mail.Message {
	lang := fundLang(to.Language)
	q := url.Values{"t": {to.Token}}
	stop := l.link("/contributions/"+strconv.FormatInt(to.ContributionID, 10)+"/stop-updates", q)
	args := []any{"campaign", c.Title, "title", u.Title, "site", l.msgs.T(lang, "site.name"),
		"page", l.link(campaignLink(c.ID), nil), "stop", stop}
	return mail.Message{
		To:              to.Email,
		Subject:         l.msgs.T(lang, "mail.fund_update.subject", args...),
		Body:            u.Title + "\n\n" + u.Body + "\n\n-----\n\n" + l.msgs.T(lang, "mail.fund_update.footer", args...),
		ListUnsubscribe: stop,
		OneClick:        true,
	}
}

// fundLang is the language a giver's mail is in: the one they gave in.
func fundLang(lang string) string {
	if l := i18n.Supported(lang); l != "" {
		return l
	}
	return i18n.Languages[0]
}

// Transfer tells someone who gives by bank transfer where to send it, with
// the reference that matches it to their gift, and the receipt's address.
func (l *Letters) Transfer(c fund.Campaign, k fund.Contribution, bank fund.BankAccount) mail.Message {
	lang := fundLang(k.Language)
	args := []any{"campaign", c.Title, "amount", workspace.FormatCents(k.Cents, lang), "iban", bank.IBAN, "holder", bank.Name,
		"reference", k.Ref, "receipt", l.receipt(k),
		"site", l.msgs.T(lang, "site.name")}
	return mail.Message{To: k.Email, Subject: l.msgs.T(lang, "mail.fund_transfer.subject", args...), Body: l.msgs.T(lang, "mail.fund_transfer.body", args...)}
}

// Received thanks a giver once their gift is paid, with the receipt's
// address.
func (l *Letters) Received(c fund.Campaign, k fund.Contribution) mail.Message {
	lang := fundLang(k.Language)
	args := []any{"campaign", c.Title, "amount", workspace.FormatCents(k.Cents, lang), "page", l.link(campaignLink(c.ID), nil),
		"receipt", l.receipt(k), "site", l.msgs.T(lang, "site.name")}
	return mail.Message{To: k.Email, Subject: l.msgs.T(lang, "mail.fund_received.subject", args...), Body: l.msgs.T(lang, "mail.fund_received.body", args...)}
}

// receipt is the address of a gift's receipt page, which holds its secret.
func (l *Letters) receipt(k fund.Contribution) string {
	return l.link("/contributions/"+strconv.FormatInt(k.ID, 10), url.Values{"t": {k.Token}})
}
