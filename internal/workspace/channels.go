package workspace

// Channels: where the group talks. The roadmap (§7.1.1, after Enspiral's
// "trinity of communication tools") asks a community for a clear, small
// set of tools: one for real-time talk (chat, video calls), one for
// asynchronous talk (e-mail, a forum), one for static information (a wiki,
// shared documents), and a fourth for speaking in public (social media). A
// workspace names its channels of each kind, each linked to the toolbox's
// entry for the tool it runs on, so that the self-scan can start from them.

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
	"samen/internal/toolbox"
)

// ChannelKind is one of §7.1.1's kinds of communication.
type ChannelKind string

const (
	Realtime ChannelKind = "realtime" // chat, video calls
	Async    ChannelKind = "async"    // e-mail, a forum, a mailing list
	Static   ChannelKind = "static"   // a wiki, shared documents
	Outward  ChannelKind = "public"   // social media, a website: beyond the circles
)

// ChannelKinds lists the kinds in the roadmap's order.
var ChannelKinds = []ChannelKind{Realtime, Async, Static, Outward}

// Valid reports whether k is one of the kinds.
func (k ChannelKind) Valid() bool { return slices.Contains(ChannelKinds, k) }

// Limits on a channel.
const (
	MaxChannelURL = 500
	MaxChannels   = 30
)

// Channel is one place where the workspace's people talk.
type Channel struct {
	ID          int64
	WorkspaceID int64
	Kind        ChannelKind
	Name        string
	URL         string // https only; "" when there is no address to give
	ToolID      string // the toolbox's entry; "" when it is not in the catalogue
	ToolName    string // filled in when listed
	Visibility  Visibility
	Position    int
	CreatedAt   time.Time
}

// Clean tidies a channel and says what is wrong, field by field. Whether
// the tool exists is checked by the service.
func (c Channel) Clean() (Channel, error) {
	f := problem.Fields{}
	c.Name = textcheck.Collapse(c.Name)
	c.URL = strings.TrimSpace(c.URL)
	c.ToolID = strings.TrimSpace(c.ToolID)
	checkText(f, "name", c.Name, MaxName, true)
	if !c.Kind.Valid() {
		f.Add("kind", "choice.unknown")
	}
	if !c.Visibility.Valid() {
		f.Add("visibility", "choice.unknown")
	}
	if c.URL != "" {
		if code := checkHTTPS(c.URL); code != "" {
			f.Add("url", code)
		}
	}
	if code, _ := textcheck.Check(c.ToolID); code != "" {
		f.Add("tool", code)
	}
	if c.Position < 0 {
		f.Add("position", "number.out_of_range")
	}
	return c, f.Err()
}

// checkHTTPS returns the problem with an address a channel links to: it
// must be a whole https URL, as people will open it from the page.
func checkHTTPS(s string) string {
	if code, _ := textcheck.Check(s); code != "" {
		return code
	}
	if len(s) > MaxChannelURL {
		return "too_long"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(s, " \t\n") {
		return "url.invalid"
	}
	return ""
}

const channelColumns = `id, workspace_id, kind, name, url, tool_id, visibility, position, created_at`

func scanChannel(row interface{ Scan(...any) error }) (Channel, error) {
	var c Channel
	var created int64
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.Kind, &c.Name, &c.URL, &c.ToolID, &c.Visibility, &c.Position, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errChannelUnknown
	}
	c.CreatedAt = store.Time(created)
	return c, err
}

var errChannelUnknown = problem.New(problem.NotFound, "workspace.channel_unknown")

// sortChannels puts channels in the roadmap's order of kinds, then by
// position.
func sortChannels(cs []Channel) {
	slices.SortStableFunc(cs, func(a, b Channel) int {
		if d := slices.Index(ChannelKinds, a.Kind) - slices.Index(ChannelKinds, b.Kind); d != 0 {
			return d
		}
		if a.Position != b.Position {
			return a.Position - b.Position
		}
		return int(a.ID - b.ID)
	})
}

// Channels lists the channels u may see, by kind: anyone sees the public
// ones, people in the workspace those for their circle and the circles
// around it. Each carries its tool's name from the toolbox.
func (s *Service) Channels(ctx context.Context, u *account.User, ref string) ([]Channel, error) {
	ws, err := load(ctx, s.DB, ref)
	if err != nil {
		return nil, err
	}
	v, err := viewerOf(ctx, s.DB, ws.ID, u)
	if err != nil {
		return nil, err
	}
	all, err := channelsOf(ctx, s.DB, ws.ID)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(all, func(c Channel) bool { return !v.Sees(c.Visibility) })
	names := map[string]string{}
	for i, c := range out {
		if c.ToolID == "" {
			continue
		}
		if _, ok := names[c.ToolID]; !ok {
			t, err := toolbox.Lookup(ctx, s.DB, c.ToolID)
			if err != nil && !problem.Is(err, problem.NotFound) {
				return nil, err
			}
			names[c.ToolID] = t.Name // "" for a tool taken out of the catalogue since
		}
		out[i].ToolName = names[c.ToolID]
	}
	return out, nil
}

func channelsOf(ctx context.Context, q store.Querier, wsID int64) ([]Channel, error) {
	rows, err := q.Query(ctx, `SELECT `+channelColumns+` FROM workspace_channels WHERE workspace_id = ?`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Channel
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortChannels(out)
	return out, nil
}

// SaveChannel adds a channel (c.ID 0) or changes one. Core only. A tool
// must be one of the toolbox's entries.
func (s *Service) SaveChannel(ctx context.Context, u *account.User, ref string, c Channel) (Channel, error) {
	var saved Channel
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Core() {
			return errForbidden
		}
		if c, err = c.Clean(); err != nil {
			return err
		}
		if c.ToolID != "" {
			if _, err := toolbox.Lookup(ctx, tx, c.ToolID); problem.Is(err, problem.NotFound) {
				return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"tool": "choice.unknown"}}
			} else if err != nil {
				return err
			}
		}
		if c.ID == 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(position), 0) + 1 FROM workspace_channels WHERE workspace_id = ?`, ws.ID).
				Scan(&n, &c.Position); err != nil {
				return err
			}
			if n >= MaxChannels {
				return problem.New(problem.Conflict, "workspace.too_many_channels")
			}
			if err := tx.QueryRow(ctx, `INSERT INTO workspace_channels (workspace_id, kind, name, url, tool_id, visibility, position, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, ws.ID, c.Kind, c.Name, c.URL, c.ToolID, c.Visibility, c.Position, s.Now.Millis()).Scan(&c.ID); err != nil {
				return err
			}
			if err := audit.RecordID(ctx, tx, "workspace.channel_add", "workspace", ws.ID, map[string]any{
				"channel": c.ID, "kind": string(c.Kind), "tool": c.ToolID, "visibility": string(c.Visibility)}); err != nil {
				return err
			}
		} else {
			old, err := scanChannel(tx.QueryRow(ctx, `SELECT `+channelColumns+` FROM workspace_channels WHERE id = ? AND workspace_id = ?`, c.ID, ws.ID))
			if err != nil {
				return err
			}
			if c.Position == 0 {
				c.Position = old.Position
			}
			if _, err := tx.Exec(ctx, `UPDATE workspace_channels SET kind = ?, name = ?, url = ?, tool_id = ?, visibility = ?, position = ? WHERE id = ?`,
				c.Kind, c.Name, c.URL, c.ToolID, c.Visibility, c.Position, c.ID); err != nil {
				return err
			}
			if err := audit.RecordID(ctx, tx, "workspace.channel_update", "workspace", ws.ID, map[string]any{
				"channel": c.ID, "kind": string(c.Kind), "tool": c.ToolID, "visibility": string(c.Visibility)}); err != nil {
				return err
			}
		}
		saved, err = scanChannel(tx.QueryRow(ctx, `SELECT `+channelColumns+` FROM workspace_channels WHERE id = ?`, c.ID))
		if err == nil && saved.ToolID != "" {
			t, _ := toolbox.Lookup(ctx, tx, saved.ToolID)
			saved.ToolName = t.Name
		}
		return err
	})
	return saved, err
}

// RemoveChannel takes a channel off the list. Core only.
func (s *Service) RemoveChannel(ctx context.Context, u *account.User, ref string, id int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Core() {
			return errForbidden
		}
		res, err := tx.Exec(ctx, `DELETE FROM workspace_channels WHERE id = ? AND workspace_id = ?`, id, ws.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errChannelUnknown
		}
		return audit.RecordID(ctx, tx, "workspace.channel_remove", "workspace", ws.ID, map[string]any{"channel": id})
	})
}

// ScanTools lists the toolbox entries the channels u sees run on, once
// each, in the channels' order: what the self-scan starts from.
func ScanTools(cs []Channel) []string {
	var out []string
	for _, c := range cs {
		if c.ToolID != "" && !slices.Contains(out, c.ToolID) {
			out = append(out, c.ToolID)
		}
	}
	return out
}
