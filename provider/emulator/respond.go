package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// reply is a handler's answer, written by Server.write.
type reply struct {
	status int
	body   []byte // JSON unless contentType says otherwise; nil for none
	// contentType, when set, is the body's type (a raw GET's CSV, PDF, YAML).
	contentType string
	// errID and errMsg make an error body carrying the request id.
	errID  string
	errMsg string
}

// errorBody is the API's error object.
type errorBody struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

func jsonReply(status int, v any) reply {
	b, err := marshal(v)
	if err != nil {
		return errServer()
	}
	return reply{status: status, body: b}
}

// marshal is json.Marshal without HTML escaping (links keep their '&').
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func errReply(status int, id, msg string) reply {
	return reply{status: status, errID: id, errMsg: msg}
}

// The contract's error table.
const (
	msgBadRequest   = "error parsing request body"
	msgUnauthorized = "Unable to authenticate you."
	msgNotFound     = "The resource you requested could not be found."
	msgUnprocessed  = "request payload validation failed"
	msgTooMany      = "API rate limit exceeded."
	msgServer       = "Unexpected server-side error"
)

func errBadBody() reply { return errReply(http.StatusBadRequest, "bad_request", msgBadRequest) }
func errBadQuery(format string, a ...any) reply {
	return errReply(http.StatusBadRequest, "bad_request", fmt.Sprintf(format, a...))
}

// errNotASnapshot is the spec's not_a_snapshot response.
func errNotASnapshot() reply {
	return errReply(http.StatusBadRequest, "bad_request", "the resource is not a snapshot")
}
func errUnauthorized() reply {
	return errReply(http.StatusUnauthorized, "unauthorized", msgUnauthorized)
}
func errNotFound() reply { return errReply(http.StatusNotFound, "not_found", msgNotFound) }
func errUnprocessable(format string, a ...any) reply {
	return errReply(http.StatusUnprocessableEntity, "unprocessable_entity", msgUnprocessed+": "+fmt.Sprintf(format, a...))
}
func errTooManyRequests() reply {
	return errReply(http.StatusTooManyRequests, "too_many_requests", msgTooMany)
}
func errServer() reply { return errReply(http.StatusInternalServerError, "server_error", msgServer) }

// write sends rep with the headers every response carries, applying the
// body faults, and records the status in the request log before the first
// byte goes out.
func (s *Server) write(w http.ResponseWriter, ex *exchange, rep reply) {
	reqID := requestID(s.seed, ex.number)
	body := rep.body
	if rep.errID != "" {
		body, _ = marshal(errorBody{ID: rep.errID, Message: rep.errMsg, RequestID: reqID})
	}

	h := w.Header()
	remaining := max(s.limit-ex.number, 0)
	if rep.status == http.StatusTooManyRequests {
		remaining = 0
		h.Set("Retry-After", strconv.Itoa(max(ex.faults.RetryAfter, 0)))
	}
	h.Set("Ratelimit-Limit", strconv.Itoa(s.limit))
	h.Set("Ratelimit-Remaining", strconv.Itoa(remaining))
	h.Set("Ratelimit-Reset", s.resetAt)
	h.Set("X-Request-Id", reqID)
	if len(body) > 0 {
		ct := "application/json"
		if rep.contentType != "" {
			ct = rep.contentType
		}
		h.Set("Content-Type", ct)
		if every(ex.faultIndex, ex.faults.CutBodyEvery) {
			body = body[:len(body)/2]
		} else {
			h.Set("Content-Length", strconv.Itoa(len(body)))
		}
	}

	s.logMu.Lock()
	ex.entry.Status = rep.status
	s.logMu.Unlock()

	w.WriteHeader(rep.status)
	if len(body) == 0 {
		return
	}
	if ex.faults.SlowBody > 0 && len(body) > 1 {
		half := len(body) / 2
		_, _ = w.Write(body[:half])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		if !sleep(ex.r.Context(), ex.faults.SlowBody) {
			return
		}
		body = body[half:]
	}
	_, _ = w.Write(body)
}

// requestID is a UUID-like id, deterministic in the seed and the arrival number.
func requestID(seed int64, n int) string {
	a := mix64(uint64(seed) ^ (uint64(n) * 0x9e3779b97f4a7c15))
	b := mix64(a)
	return formatUUID(a, b)
}

func formatUUID(a, b uint64) string {
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
		a>>32, (a>>16)&0xffff, 0x4000|a&0x0fff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
