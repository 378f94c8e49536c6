package web

import "net/http"

func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return problemBadForm
	}
	return unreadable(r.PostForm)
}
