package web

import "net/http"

// The decisions' API and downloads (helper W3 fills these in).

func (s *Server) decisionFile(w http.ResponseWriter, r *http.Request) error { return problemNotFound }
func (s *Server) budgetFile(w http.ResponseWriter, r *http.Request) error   { return problemNotFound }
func (s *Server) apiDecisions(w http.ResponseWriter, r *http.Request) error { return problemNotFound }
func (s *Server) apiCreateDecision(w http.ResponseWriter, r *http.Request) error {
	return problemNotFound
}
func (s *Server) apiDecision(w http.ResponseWriter, r *http.Request) error { return problemNotFound }
func (s *Server) apiUpdateDecision(w http.ResponseWriter, r *http.Request) error {
	return problemNotFound
}
func (s *Server) apiDecisionState(w http.ResponseWriter, r *http.Request) error {
	return problemNotFound
}
func (s *Server) apiVote(w http.ResponseWriter, r *http.Request) error    { return problemNotFound }
func (s *Server) apiComment(w http.ResponseWriter, r *http.Request) error { return problemNotFound }
func (s *Server) apiDecisionResults(w http.ResponseWriter, r *http.Request) error {
	return problemNotFound
}
func (s *Server) apiBudgets(w http.ResponseWriter, r *http.Request) error    { return problemNotFound }
func (s *Server) apiBudget(w http.ResponseWriter, r *http.Request) error     { return problemNotFound }
func (s *Server) apiPropose(w http.ResponseWriter, r *http.Request) error    { return problemNotFound }
func (s *Server) apiVoteBudget(w http.ResponseWriter, r *http.Request) error { return problemNotFound }
func (s *Server) apiBudgetResults(w http.ResponseWriter, r *http.Request) error {
	return problemNotFound
}
