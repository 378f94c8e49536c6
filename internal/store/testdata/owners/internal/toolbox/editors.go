package toolbox

const (
	// Reads atlas's table: caught.
	isEditor = `SELECT COUNT(*) FROM initiative_editors WHERE initiative_id = ? AND user_id = ?`
	// Its own tables, and a join the owner did not write: caught once.
	scans   = `SELECT id FROM scans s JOIN scan_tools t ON t.scan_id = s.id`
	authors = "SELECT s.id, u.name FROM scans s LEFT JOIN users u ON u.id = s.author_id"
	// A table's name as a word, not in SQL: fine.
	subject = "audit_log"
)
