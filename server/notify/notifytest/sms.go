package notifytest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// SMS is one message the webhook received.
type SMS struct {
	Seq         int    `json:"-"` // 1, 2, … in arrival order
	PhoneNumber string `json:"phone_number"`
	Message     string `json:"message"`
}

// SMSSink is a fake SMS webhook: it takes POSTs of
// {"phone_number": …, "message": …} as application/json, records them and
// answers with its status (204 unless set). Anything else is answered 400
// and not recorded.
type SMSSink struct {
	srv *httptest.Server

	mu     sync.Mutex
	status int
	msgs   []SMS
	notify chan struct{}
}

// NewSMS starts the sink on 127.0.0.1 over http; t.Cleanup stops it.
func NewSMS(t testing.TB) *SMSSink {
	t.Helper()
	s := &SMSSink{status: http.StatusNoContent, notify: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is where to POST.
func (s *SMSSink) URL() string { return s.srv.URL + "/sms" }

// SetStatus makes the sink answer every later POST with code, after
// recording it.
func (s *SMSSink) SetStatus(code int) {
	s.mu.Lock()
	s.status = code
	s.mu.Unlock()
}

// Messages returns every recorded SMS, oldest first.
func (s *SMSSink) Messages() []SMS {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMS(nil), s.msgs...)
}

// Wait returns the newest recorded SMS that match reports true for, waiting
// for one if none has come; it fails only when ctx ends.
func (s *SMSSink) Wait(ctx context.Context, match func(SMS) bool) (SMS, error) {
	for {
		s.mu.Lock()
		ch := s.notify
		for i := len(s.msgs) - 1; i >= 0; i-- {
			if match(s.msgs[i]) {
				m := s.msgs[i]
				s.mu.Unlock()
				return m, nil
			}
		}
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return SMS{}, fmt.Errorf("notifytest: no matching SMS: %w", ctx.Err())
		}
	}
}

// ToPhone matches an SMS sent to phone.
func ToPhone(phone string) func(SMS) bool {
	return func(m SMS) bool { return m.PhoneNumber == phone }
}

func (s *SMSSink) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		http.Error(w, "want application/json", http.StatusUnsupportedMediaType)
		return
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	var m SMS
	if err := dec.Decode(&m); err != nil || m.PhoneNumber == "" || m.Message == "" {
		http.Error(w, "want {\"phone_number\": …, \"message\": …}", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	m.Seq = len(s.msgs) + 1
	s.msgs = append(s.msgs, m)
	close(s.notify)
	s.notify = make(chan struct{})
	status := s.status
	s.mu.Unlock()
	w.WriteHeader(status)
}
