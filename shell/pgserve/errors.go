package pgserve

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/registry"
	"github.com/jeroenrinzema/psql-wire/codes"
	pgerror "github.com/jeroenrinzema/psql-wire/errors"
)

// pgError makes err an error response: apiql's message and hint, with the
// SQLSTATE that says what kind of error it is.
func pgError(err error) error {
	if err == nil {
		return nil
	}
	if code := pgerror.GetCode(err); code != "" && code != codes.Uncategorized {
		return err // already made
	}
	msg, hint := err.Error(), ""
	var ee *engine.Error
	if errors.As(err, &ee) {
		msg, hint = ee.Msg, ee.Hint
	}
	code := classify(err, msg)
	if code == codes.QueryCanceled {
		msg = "canceling statement due to user request"
		hint = ""
	}
	out := pgerror.WithCode(errors.New(msg), code)
	if hint != "" {
		out = pgerror.WithHint(out, hint)
	}
	return out
}

// hinted is an error with a hint, for errors the server makes itself.
func hinted(code codes.Code, hint, msg string) error {
	err := pgerror.WithCode(errors.New(msg), code)
	if hint != "" {
		err = pgerror.WithHint(err, hint)
	}
	return err
}

func classify(err error, msg string) codes.Code {
	var ae *provider.APIError
	var nf *registry.NotFoundError
	switch {
	case errors.Is(err, context.Canceled):
		return codes.QueryCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return codes.QueryCanceled
	case errors.As(err, &ae):
		switch ae.Status {
		case http.StatusUnauthorized, http.StatusForbidden:
			return codes.InsufficientPrivilege
		case http.StatusNotFound:
			return codes.UndefinedObject
		case http.StatusTooManyRequests:
			return "53400" // configuration_limit_exceeded: the API's rate limit
		case http.StatusUnprocessableEntity, http.StatusBadRequest:
			return codes.InvalidParameterValue
		}
		return "58000" // system_error: the API failed
	case errors.As(err, &nf):
		return codes.UndefinedTable
	}
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "longer than") && strings.Contains(m, "stopped"):
		return codes.QueryCanceled
	case strings.Contains(m, "syntax error") || strings.Contains(m, "ends too early") || strings.Contains(m, "unterminated"):
		return codes.Syntax
	case strings.Contains(m, "no such column"):
		return codes.UndefinedColumn
	case strings.Contains(m, "no such table") || strings.Contains(m, "unknown resource") || strings.Contains(m, "unknown service") ||
		strings.Contains(m, "unknown provider") || strings.Contains(m, "not a resource"):
		return codes.UndefinedTable
	case strings.Contains(m, "no such function"):
		return codes.UndefinedFunction
	case strings.Contains(m, "read-only") || strings.Contains(m, "read only") || strings.Contains(m, "not allowed"):
		return codes.ReadOnlySQLTransaction
	case strings.Contains(m, "not supported"):
		return codes.FeatureNotSupported
	case strings.Contains(m, "ambiguous"):
		return "42702" // ambiguous_column
	}
	return codes.InvalidParameterValue
}
