package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// APIError is a request the API answered with an error status, or that
// could not be completed. It carries what the API said and where.
type APIError struct {
	// HTTPMethod and Path say which request failed; Path has no host and no token.
	HTTPMethod string
	Path       string
	// Status is the HTTP status, or 0 when no answer came.
	Status int
	// ID, Message and RequestID are the API's error id, message and request id.
	ID        string
	Message   string
	RequestID string
	// Page is the page number of a paginated list that failed, or 0.
	Page int
	// Attempts is how many times the request was sent.
	Attempts int
	// Err is the underlying transport error, when there was no answer.
	Err error
	// WaitRefused is the wait the API asked for (Retry-After) when it
	// was longer than apiql waits (--max-retry-wait), else 0.
	WaitRefused time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.HTTPMethod, e.Path)
	if e.Page > 0 {
		fmt.Fprintf(&b, " (page %d)", e.Page)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d", e.Status)
		if e.ID != "" {
			fmt.Fprintf(&b, " %s", e.ID)
		}
		if e.Message != "" {
			fmt.Fprintf(&b, ": %s", e.Message)
		}
		if e.RequestID != "" {
			fmt.Fprintf(&b, " (request_id %s)", e.RequestID)
		}
	} else if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	return b.String()
}

func (e *APIError) Unwrap() error { return e.Err }

// AuthError says that no token is available for a provider. It is returned
// before any request is sent.
type AuthError struct {
	Provider string
	// Connection is the named connection whose token is missing; empty for
	// the provider's implicit default.
	Connection string
	// Vars are the environment variables the token is read from.
	Vars []string
	// Cmd and CmdErr, for a connection whose token comes from a command,
	// are the command and how it failed (never its output).
	Cmd, CmdErr string
}

func (e *AuthError) Error() string {
	if e.Connection != "" {
		if e.Cmd != "" {
			return fmt.Sprintf("no API token for connection %q (%s): its token_cmd %q failed: %s; check the command in the config file", e.Connection, e.Provider, e.Cmd, e.CmdErr)
		}
		return fmt.Sprintf("no API token for connection %q (%s): set %s, the variable the config file names for it", e.Connection, e.Provider, strings.Join(e.Vars, " or "))
	}
	return fmt.Sprintf("no API token for provider %q: set %s, or run with --sandbox to query the built-in emulator",
		e.Provider, strings.Join(e.Vars, " or "))
}

// Effect is what a write that failed did to the API, as far as apiql can
// know.
type Effect int

const (
	// NotActed: the write provably did nothing: it never left this
	// machine, or the API answered with a 4xx status (a 429 is its rate
	// limit refusing the request).
	NotActed Effect = iota
	// MayHaveActed: the request may have reached the API and no answer
	// says what came of it: a timeout or a connection lost after it was
	// sent, a redirect (not followed), a 5xx answer. Sending it again may
	// act twice.
	MayHaveActed
)

// WriteEffect says what a write that failed with err (from Do) did.
func WriteEffect(err error) Effect {
	var ae *APIError
	if !errors.As(err, &ae) {
		var se *sendError
		if errors.As(err, &se) && !se.sent {
			return NotActed
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &se) {
			return MayHaveActed
		}
		return NotActed // not built: an *AuthError, a missing parameter
	}
	switch {
	case ae.Status >= 400 && ae.Status < 500:
		return NotActed
	case ae.Status >= 500:
		return MayHaveActed
	case ae.Err != nil && neverSent(ae.Err):
		return NotActed
	}
	return MayHaveActed
}
