package decide

import "samen/internal/workspace"

// Who is one person as the rules of a decision see them.
type Who struct {
	SignedIn bool // an account that is neither disabled nor erased
	Verified bool // its e-mail address is confirmed
	Steward  bool // runs the platform: runs city-wide processes
	Author   bool // wrote the proposal
	// Viewer is who they are in the decision's workspace (zero for a
	// city-wide decision).
	Viewer workspace.Viewer
	// Electorate: in the decision's electorate, fixed when voting opened
	// (workspace decisions).
	Electorate bool
}

// CanPropose reports whether someone may start a decision in a workspace:
// its members and every circle inside (supporters follow, they do not
// propose). City-wide processes are started by stewards.
func CanPropose(v workspace.Viewer) bool {
	return v.In() && v.Sees(workspace.Visibility(workspace.Members))
}

// RightsOf says what w may do with d. A draft is seen only by those who
// manage it; comments and amendments are open while the proposal is
// discussed or voted on; a ballot only while voting runs.
func RightsOf(d Decision, w Who) Rights {
	var r Rights
	if !w.SignedIn {
		w = Who{}
	}
	lively := d.State == Discussion || d.State == Voting
	if d.CityWide() {
		r.Manage = w.Steward
		r.See = d.State != Draft || r.Manage
		r.Comment = r.See && w.Verified && lively
		r.Vote = d.State == Voting && w.Verified
		return r
	}
	v := w.Viewer
	r.Manage = v.Core() || (w.Author && v.In())
	r.See = r.Manage || (d.State != Draft && v.Sees(d.Visibility))
	r.Comment = r.See && v.In() && lively
	r.Vote = d.State == Voting && w.Electorate && v.In()
	return r
}
