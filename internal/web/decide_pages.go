package web

import (
	"net/http"
	"strconv"
)

// Deciding together: the pages of a decision (helper W1 fills these in).

func decisionLink(id int64) string { return "/decisions/" + strconv.FormatInt(id, 10) }

func (s *Server) decisionsIndex(w http.ResponseWriter, r *http.Request) error { return problemNotFound }
func (s *Server) workspaceDecisions(w http.ResponseWriter, r *http.Request) error {
	return problemNotFound
}
func (s *Server) newDecisionForm(w http.ResponseWriter, r *http.Request) error {
	return problemNotFound
}
func (s *Server) createDecision(w http.ResponseWriter, r *http.Request) error { return problemNotFound }
func (s *Server) decisionPage(w http.ResponseWriter, r *http.Request) error   { return problemNotFound }
func (s *Server) editDecisionForm(w http.ResponseWriter, r *http.Request) error {
	return problemNotFound
}
func (s *Server) updateDecision(w http.ResponseWriter, r *http.Request) error { return problemNotFound }
func (s *Server) decisionAction(w http.ResponseWriter, r *http.Request) error { return problemNotFound }
