package workspace

import "slices"

// Circle is one of the four rings of the roadmap's figure 2 (§7.1.1): the
// core team that runs things day to day, active contributors, members or
// co-owners, and the wider circle of users and sympathisers. Inner circles
// see everything outer ones see.
type Circle string

const (
	Core         Circle = "core"
	Contributors Circle = "contributors"
	Members      Circle = "members"
	Supporters   Circle = "supporters"
)

// Circles lists the circles from the inside out.
var Circles = []Circle{Core, Contributors, Members, Supporters}

// rank is 4 for core down to 1 for supporters, 0 for anything else (an
// outsider).
func (c Circle) rank() int {
	if i := slices.Index(Circles, c); i >= 0 {
		return len(Circles) - i
	}
	return 0
}

// Valid reports whether c is one of the four circles.
func (c Circle) Valid() bool { return c.rank() > 0 }

// Within reports whether c is v's circle or inside it: whether someone in c
// sees what v's circle sees.
func (c Circle) Within(v Visibility) bool {
	if v == Public {
		return true
	}
	return c.rank() > 0 && c.rank() >= Circle(v).rank()
}

// Visibility says who sees a thing in a workspace (a page, an announcement,
// a file, a field of the register): everyone (Public), or the named circle
// and every circle inside it.
type Visibility string

// Public: anyone, signed in or not.
const Public Visibility = "public"

// Visibilities lists the choices from the widest to the narrowest.
var Visibilities = []Visibility{Public, Visibility(Supporters), Visibility(Members), Visibility(Contributors), Visibility(Core)}

// Valid reports whether v is public or a circle.
func (v Visibility) Valid() bool { return v == Public || Circle(v).Valid() }

// Role is a right that core delegates to named people outside it, as
// Foodsoft's workgroups carry flags. Core holds every role.
type Role string

const (
	// RoleRegister keeps the register: sees and edits everyone's record,
	// invites, answers join requests, imports and exports.
	RoleRegister Role = "register"
	// RoleTreasurer keeps shares, participations, the ledger and fees.
	RoleTreasurer Role = "treasurer"
	// RoleAnnouncements sends announcements.
	RoleAnnouncements Role = "announcements"
	// RoleFiles uploads and removes files.
	RoleFiles Role = "files"
)

// Roles lists the roles core can delegate.
var Roles = []Role{RoleRegister, RoleTreasurer, RoleAnnouncements, RoleFiles}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Viewer is someone looking at a workspace, as its rules see them: their
// circle (empty for an outsider), the roles delegated to them. A steward of
// the platform is an outsider here: running the site does not make one a
// member of every co-op, so stewards see what the public sees (erasure and
// the audit log reach workspace data by other paths).
type Viewer struct {
	UserID   int64  // 0: nobody signed in
	MemberID int64  // 0: not (or no longer) in the workspace
	Circle   Circle // "": outsider
	Roles    []Role
}

// In reports whether the viewer is in the workspace at all.
func (v Viewer) In() bool { return v.Circle.Valid() }

// Sees reports whether the viewer may see a thing of visibility vis.
func (v Viewer) Sees(vis Visibility) bool { return v.Circle.Within(vis) }

// Has reports whether the viewer holds the role: core holds all of them.
func (v Viewer) Has(r Role) bool {
	return v.Circle == Core || (v.In() && slices.Contains(v.Roles, r))
}

// Core reports whether the viewer is in the core team.
func (v Viewer) Core() bool { return v.Circle == Core }
