package atlas

// Its own table: fine.
const editors = `SELECT user_id FROM initiative_editors WHERE initiative_id = ?`
