package web

import (
	"net/http"
	"net/url"
	"strconv"

	"samen/internal/problem"
	"samen/internal/workspace"
)

// A workspace's channels (§7.1.1's "trinity of communication tools"): the
// list as the reader's circle may see it, by kind, with a link to the
// self-scan that starts from their tools; core keeps the list.

type channelGroup struct {
	Kind     string
	Channels []workspace.Channel
}

type channelsPage struct {
	View    workspace.View
	Groups  []channelGroup // every kind, empty ones too: a gap is worth seeing
	Editing *workspace.Channel
	Kinds   []string
	Vis     []string
	Tool    selectField // the toolbox's entries to choose from
	Scan    string      // the self-scan with the channels' tools ticked; "" without tools
}

func (s *Server) workspaceChannels(w http.ResponseWriter, r *http.Request) error {
	return s.renderChannels(w, r, http.StatusOK, nil)
}

func (s *Server) renderChannels(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	channels, err := s.workspaces.Channels(ctx, userFrom(ctx), v.Slug)
	if err != nil {
		return err
	}
	p := s.newPage(r, "workspace.channels.title")
	p.RawTitle = v.Name
	data := &channelsPage{View: v, Vis: codes(workspace.Visibilities)}
	for _, k := range workspace.ChannelKinds {
		g := channelGroup{Kind: string(k)}
		for _, c := range channels {
			if c.Kind == k {
				g.Channels = append(g.Channels, c)
			}
		}
		data.Groups = append(data.Groups, g)
		data.Kinds = append(data.Kinds, string(k))
	}
	if tools := workspace.ScanTools(channels); len(tools) > 0 {
		data.Scan = "/toolbox/scan?" + url.Values{"tools": tools}.Encode()
	}
	if v.Viewer.Core() {
		p.Form.Set("visibility", string(workspace.Members))
		edit, _ := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64)
		if edit == 0 {
			edit = formInt(r, "channel")
		}
		for i, c := range channels {
			if edit != 0 && c.ID == edit {
				data.Editing = &channels[i]
				p.Form.Set("kind", string(c.Kind))
				p.Form.Set("name", c.Name)
				p.Form.Set("url", c.URL)
				p.Form.Set("tool", c.ToolID)
				p.Form.Set("visibility", string(c.Visibility))
			}
		}
		if formErr != nil {
			if err := s.formProblems(p, formErr); err != nil {
				return err
			}
			p.Form = r.PostForm
		}
		c, err := s.toolbox.Catalogue(ctx)
		if err != nil {
			return err
		}
		data.Tool = p.Choice("tool", "workspace.channels.tool", "", nil)
		for _, t := range c.Tools {
			data.Tool.Options = append(data.Tool.Options, selectOption{Value: t.ID, Label: t.Name, Selected: p.Value("tool") == t.ID})
		}
	}
	p.Data = data
	s.renderStatus(w, r, status, "workspace_channels", p)
	return nil
}

// channelsAction runs core's forms: saving a channel (a new one, or the one
// named by the field "channel"), removing one.
func (s *Server) channelsAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	var err error
	var notice string
	switch r.PathValue("action") {
	case "save":
		_, err = s.workspaces.SaveChannel(ctx, u, ref, workspace.Channel{ID: formInt(r, "channel"), Kind: workspace.ChannelKind(r.PostForm.Get("kind")),
			Name: r.PostForm.Get("name"), URL: r.PostForm.Get("url"), ToolID: r.PostForm.Get("tool"),
			Visibility: workspace.Visibility(r.PostForm.Get("visibility"))})
		notice = "ws_channel_saved"
	case "remove":
		err, notice = s.workspaces.RemoveChannel(ctx, u, ref, formInt(r, "channel")), "ws_channel_removed"
	default:
		return problemNotFound
	}
	if err != nil {
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.renderChannels(w, r, statusOf(err), err)
		}
		return err
	}
	redirectNotice(w, r, "/workspaces/"+ref+"/channels", notice)
	return nil
}

// The API.

type apiChannel struct {
	ID         int64   `json:"id"`
	Kind       string  `json:"kind"`
	Name       string  `json:"name"`
	URL        *string `json:"url"`
	Tool       *string `json:"tool"`      // the toolbox entry's id
	ToolName   *string `json:"tool_name"` // its name
	Visibility string  `json:"visibility"`
	Position   int     `json:"position"`
}

func toAPIChannel(c workspace.Channel) apiChannel {
	out := apiChannel{ID: c.ID, Kind: string(c.Kind), Name: c.Name, Visibility: string(c.Visibility), Position: c.Position}
	if c.URL != "" {
		out.URL = &c.URL
	}
	if c.ToolID != "" {
		out.Tool = &c.ToolID
		if c.ToolName != "" {
			out.ToolName = &c.ToolName
		}
	}
	return out
}

func (s *Server) apiChannels(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.workspaces.Channels(r.Context(), userFrom(r.Context()), r.PathValue("ws"))
	if err != nil {
		return err
	}
	out := make([]apiChannel, 0, len(cs))
	for _, c := range cs {
		out = append(out, toAPIChannel(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"channels": out, "scan_tools": append([]string{}, workspace.ScanTools(cs)...)})
	return nil
}

func (s *Server) apiSaveChannel(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ID         int64  `json:"id"`
		Kind       string `json:"kind"`
		Name       string `json:"name"`
		URL        string `json:"url"`
		Tool       string `json:"tool"`
		Visibility string `json:"visibility"`
		Position   int    `json:"position"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.workspaces.SaveChannel(r.Context(), userFrom(r.Context()), r.PathValue("ws"), workspace.Channel{ID: in.ID,
		Kind: workspace.ChannelKind(in.Kind), Name: in.Name, URL: in.URL, ToolID: in.Tool, Visibility: workspace.Visibility(in.Visibility), Position: in.Position})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if in.ID == 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, toAPIChannel(c))
	return nil
}

func (s *Server) apiRemoveChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return problemNotFound
	}
	if err := s.workspaces.RemoveChannel(r.Context(), userFrom(r.Context()), r.PathValue("ws"), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
