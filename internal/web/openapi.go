package web

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes every route under /api/v1. It is written by
// hand, next to the handlers, and a test fails when a route is missing from
// it or it names a route that does not exist.
//
//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, err := w.Write(openAPIDocument)
	return err
}
