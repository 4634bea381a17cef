package pgserve_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/apiql/apiql/shell/pgserve"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestFloat8TextAsPostgres: float8 values in text format are written as
// PostgreSQL 15 writes them (extra_float_digits 1): each value is sent to
// a real PostgreSQL server, whose text is the expected one.
func TestFloat8TextAsPostgres(t *testing.T) {
	pg := postgres(t).PgConn()
	values := []float64{
		0, math.Copysign(0, -1), 1, -1, 0.1, 0.5, 1.0 / 3, 2.0 / 3, 1e-5, 1e-4, 0.00012, 9.999e-5, 0.001,
		100000, 1234567.5, 123456789012345678, 1e14, 1e15, 1e16, 1e17, 1e21, 1e22,
		999999999999999, 123456789012345.6, 1.5e300, -1.5e300, 1e-300, 1e308, math.MaxFloat64,
		math.SmallestNonzeroFloat64, 2.2250738585072014e-308, 1 << 53, 1<<53 - 1, 1<<53 + 2,
		math.Pi, -math.E, 299792458, 6.02214076e23, 1.602176634e-19,
		math.NaN(), math.Inf(1), math.Inf(-1),
	}
	r := rand.New(rand.NewSource(1))
	for len(values) < 500 {
		if v := math.Float64frombits(r.Uint64()); !math.IsNaN(v) && !math.IsInf(v, 0) {
			values = append(values, v)
		}
		// Values of every decimal exponent near fixed notation's bounds.
		values = append(values, r.Float64()*math.Pow(10, float64(r.Intn(40)-20)))
	}
	ctx := context.Background()
	for _, v := range values {
		param := binary.BigEndian.AppendUint64(nil, math.Float64bits(v))
		res := pg.ExecParams(ctx, "SELECT $1::float8", [][]byte{param}, []uint32{701}, []int16{1}, []int16{0}).Read()
		if res.Err != nil {
			t.Fatalf("%v: %v", v, res.Err)
		}
		if got, want := pgserve.Float8Text(v), string(res.Rows[0][0]); got != want {
			t.Errorf("Float8Text(%v (%#x)) = %q, PostgreSQL writes %q", v, math.Float64bits(v), got, want)
		}
	}
}

// TestFloat8OnTheWire: apiql's float8 results in text format, in both
// protocols, read as PostgreSQL's for the same values.
func TestFloat8OnTheWire(t *testing.T) {
	e := newEnv(t, envOpts{})
	pg := postgres(t).PgConn()
	for _, tc := range []struct{ apiql, postgres string }{
		{"SELECT 1e-300 AS a, 1e308*10 AS b, -1e308*10 AS c", "SELECT 1e-300::float8 AS a, 'Infinity'::float8 AS b, '-Infinity'::float8 AS c"},
		{"SELECT CAST(0.1 AS float8) AS a, 1e-5 AS b, 1e-4 AS c, 0.0 AS d", "SELECT 0.1::float8 AS a, 1e-5::float8 AS b, 1e-4::float8 AS c, 0::float8 AS d"},
		{"SELECT 1e15 AS a, 1e16 AS b, 1e17 AS c, 1.5e300 AS d", "SELECT 1e15::float8 AS a, 1e16::float8 AS b, 1e17::float8 AS c, 1.5e300::float8 AS d"},
		{"SELECT 123456789012345678.0 AS a, 9007199254740992.0 AS b, 100000.0 AS c, 1234567.5 AS d", "SELECT 123456789012345678::float8 AS a, 9007199254740992::float8 AS b, 100000::float8 AS c, 1234567.5::float8 AS d"},
		{"SELECT 1.0/3 AS a, 2.5 * 4 AS b, -0.000123 AS c", "SELECT 1::float8/3 AS a, 2.5::float8 * 4 AS b, -0.000123::float8 AS c"},
	} {
		want := textRows(t, pg, false, tc.postgres)
		for _, m := range modes {
			c := e.connect(t, m.simple).PgConn()
			if got := textRows(t, c, m.simple, tc.apiql); got != want {
				t.Errorf("%s: %s\ngot  %s\nwant %s (PostgreSQL: %s)", m.name, tc.apiql, got, want, tc.postgres)
			}
		}
	}
}

// textRows runs sql and gives its result in text format, each column with
// its type oid.
func textRows(t *testing.T, c *pgconn.PgConn, simple bool, sql string) string {
	t.Helper()
	var res []*pgconn.Result
	var err error
	if simple {
		res, err = c.Exec(context.Background(), sql).ReadAll()
	} else {
		r := c.ExecParams(context.Background(), sql, nil, nil, nil, nil).Read()
		res, err = []*pgconn.Result{r}, r.Err
	}
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out := ""
	for _, r := range res {
		for _, row := range r.Rows {
			for i, v := range row {
				out += fmt.Sprintf("%s(%d)=%s ", r.FieldDescriptions[i].Name, r.FieldDescriptions[i].DataTypeOID, v)
			}
		}
	}
	return out
}
