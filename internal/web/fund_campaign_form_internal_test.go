package web

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"samen/internal/fund"
)

// FuzzCampaignForm: reading a campaign's form, which is read by hand,
// never panics; what it cannot read it names by the form's own fields;
// the rows it reads are at most the campaign's limits, in their places,
// and no amount is negative. Run it with
//
//	go test ./internal/web/ -run '^$' -fuzz '^FuzzCampaignForm$' -fuzztime 60s
func FuzzCampaignForm(f *testing.F) {
	f.Add("Een werkbank", "500", "800,00", "2027-01-15T18:00", "all_or_nothing", "Werkbank", "800", "Sleutelhanger", "15", "10", "3")
	f.Add("", "vijfhonderd", "-1", "morgen", "both", "", "1.234,5", "", "€ 15", "veel", "99")
	f.Add("x", "", "", "", "keep", "a", "", "b", "", "", "")
	f.Fuzz(func(t *testing.T, title, min, goal, deadline, rule, label, cents, reward, rewardMin, available, row string) {
		v := url.Values{"title": {title}, "min": {min}, "goal": {goal}, "deadline": {deadline}, "rule": {rule}}
		for _, r := range []string{"0", row} {
			v.Set("lines."+r+".label", label)
			v.Set("lines."+r+".cents", cents)
			v.Set("rewards."+r+".title", reward)
			v.Set("rewards."+r+".min", rewardMin)
			v.Set("rewards."+r+".available", available)
		}
		d, bad := campaignDraft(v)
		for field := range bad {
			switch {
			case field == "min" || field == "goal" || field == "deadline" || field == "rule":
			case strings.HasPrefix(field, "lines.") || strings.HasPrefix(field, "rewards."):
			default:
				t.Fatalf("a problem with %q, which the form does not have", field)
			}
		}
		if len(d.Lines) > fund.MaxLines || len(d.Rewards) > fund.MaxRewards {
			t.Fatalf("%d lines and %d rewards", len(d.Lines), len(d.Rewards))
		}
		// A negative amount (people type "-5") is the domain's to refuse,
		// by its field.
		refused := d.Clean(time.Now())
		if d.MinCents < 0 && refused["min"] == "" || d.GoalCents < 0 && refused["goal"] == "" {
			t.Fatalf("negative goals %d, %d pass: %v", d.MinCents, d.GoalCents, refused)
		}
		for i, l := range d.Lines {
			if l.Cents < 0 && refused["lines."+strconv.Itoa(i)+".cents"] == "" || l.ID < 0 {
				t.Fatalf("line %d %+v passes: %v", i, l, refused)
			}
		}
		for i, r := range d.Rewards {
			if r.MinCents < 0 && refused["rewards."+strconv.Itoa(i)+".min"] == "" || r.Available < 0 || r.ID < 0 {
				t.Fatalf("reward %d %+v passes: %v", i, r, refused)
			}
		}
	})
}
