package pgserve_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// TestPortalOutlivesStatement: a portal, once bound, lives until it is
// closed or the transaction ends, whatever happens to the statement it was
// bound from, as in PostgreSQL. pgjdbc relies on it: with a fetch size it
// binds a named portal from the unnamed statement, and a second query run
// while the first result is open parses the unnamed statement again.
// The same messages go to apiql and to PostgreSQL, which answer alike.
func TestPortalOutlivesStatement(t *testing.T) {
	e := newEnv(t, envOpts{images: 12})
	servers := []struct {
		name    string
		connect func(t *testing.T) *pgx.Conn
	}{
		{"apiql", func(t *testing.T) *pgx.Conn { return e.connect(t, false) }},
		{"postgres", func(t *testing.T) *pgx.Conn {
			return postgres(t, "CREATE SCHEMA digitalocean_images",
				"CREATE TABLE digitalocean_images.images AS SELECT generate_series(1, 12)::bigint AS id")
		}},
	}
	const (
		ids   = "SELECT id FROM digitalocean_images.images"
		count = "SELECT count(*) FROM digitalocean_images.images"
	)
	for _, tc := range []struct {
		name string
		// msgs are sent after p1 was bound from the unnamed statement ids
		// and 5 of its rows were read.
		msgs []pgproto3.FrontendMessage
		want string
	}{{
		name: "unnamed statement parsed again",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: count},
			&pgproto3.Bind{DestinationPortal: "p2"},
			&pgproto3.Execute{Portal: "p2"},
			&pgproto3.Execute{Portal: "p1"},
		},
		want: "ParseComplete BindComplete DataRow×1 CommandComplete(SELECT) DataRow×7 CommandComplete(SELECT)",
	}, {
		name: "unnamed portal bound again",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: count},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Execute{Portal: "p1", MaxRows: 3},
			&pgproto3.Execute{Portal: "p1"},
		},
		want: "ParseComplete BindComplete DataRow×1 CommandComplete(SELECT) DataRow×3 PortalSuspended DataRow×4 CommandComplete(SELECT)",
	}, {
		name: "unnamed statement closed",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Close{ObjectType: 'S'},
			&pgproto3.Execute{Portal: "p1"},
		},
		want: "CloseComplete DataRow×7 CommandComplete(SELECT)",
	}, {
		name: "portal closed and bound again",
		msgs: []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: count},
			&pgproto3.Close{ObjectType: 'P', Name: "p1"},
			&pgproto3.Bind{DestinationPortal: "p1"},
			&pgproto3.Execute{Portal: "p1"},
		},
		want: "ParseComplete CloseComplete BindComplete DataRow×1 CommandComplete(SELECT)",
	}} {
		for _, srv := range servers {
			t.Run(srv.name+"/"+tc.name, func(t *testing.T) {
				c := srv.connect(t)
				fe := c.PgConn().Frontend()
				run := func(msgs ...pgproto3.FrontendMessage) string {
					t.Helper()
					for _, m := range msgs {
						fe.Send(m)
					}
					if err := fe.Flush(); err != nil {
						t.Fatal(err)
					}
					_, flushed := msgs[len(msgs)-1].(*pgproto3.Flush)
					return transcript(t, fe, flushed)
				}
				if got, want := run(&pgproto3.Query{String: "BEGIN"}), "CommandComplete(BEGIN) ReadyForQuery(T)"; got != want {
					t.Fatalf("BEGIN: %s, want %s", got, want)
				}
				got := run(&pgproto3.Parse{Query: ids}, &pgproto3.Bind{DestinationPortal: "p1"},
					&pgproto3.Execute{Portal: "p1", MaxRows: 5}, &pgproto3.Flush{})
				if want := "ParseComplete BindComplete DataRow×5 PortalSuspended"; got != want {
					t.Fatalf("first 5 rows of p1: %s, want %s", got, want)
				}
				got = run(append(tc.msgs, &pgproto3.Sync{})...)
				if want := tc.want + " ReadyForQuery(T)"; got != want {
					t.Errorf("got  %s\nwant %s", got, want)
				}
				// The transaction's end closes the portal.
				got = run(&pgproto3.Query{String: "COMMIT"})
				got += " " + run(&pgproto3.Execute{Portal: "p1"}, &pgproto3.Sync{})
				if want := `CommandComplete(COMMIT) ReadyForQuery(I) Error(34000 portal "p1" does not exist) ReadyForQuery(I)`; got != want {
					t.Errorf("after COMMIT: %s, want %s", got, want)
				}
			})
		}
	}
}

// transcript reads the server's answers until ReadyForQuery or, when the
// client sent Flush instead of Sync, until an Execute's end.
func transcript(t *testing.T, fe *pgproto3.Frontend, flushed bool) string {
	t.Helper()
	var out []string
	rows := 0
	add := func(s string) {
		if rows > 0 {
			out = append(out, fmt.Sprintf("DataRow×%d", rows))
			rows = 0
		}
		out = append(out, s)
	}
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatalf("after %v: %v", out, err)
		}
		switch m := msg.(type) {
		case *pgproto3.DataRow:
			rows++
			continue
		case *pgproto3.ParseComplete:
			add("ParseComplete")
		case *pgproto3.BindComplete:
			add("BindComplete")
		case *pgproto3.CloseComplete:
			add("CloseComplete")
		case *pgproto3.RowDescription, *pgproto3.NoData, *pgproto3.ParameterDescription, *pgproto3.NoticeResponse:
			continue
		case *pgproto3.PortalSuspended:
			add("PortalSuspended")
		case *pgproto3.CommandComplete:
			// A SELECT's row count is left out: PostgreSQL counts the
			// rows of the last Execute, apiql all the portal's rows.
			tag := string(m.CommandTag)
			if strings.HasPrefix(tag, "SELECT ") {
				tag = "SELECT"
			}
			add("CommandComplete(" + tag + ")")
		case *pgproto3.ErrorResponse:
			add("Error(" + m.Code + " " + m.Message + ")")
		case *pgproto3.ReadyForQuery:
			add("ReadyForQuery(" + string(m.TxStatus) + ")")
			return strings.Join(out, " ")
		default:
			add(fmt.Sprintf("%T", m))
		}
		if flushed && (strings.HasPrefix(out[len(out)-1], "PortalSuspended") || strings.HasPrefix(out[len(out)-1], "CommandComplete") || strings.HasPrefix(out[len(out)-1], "Error")) {
			return strings.Join(out, " ")
		}
	}
}
