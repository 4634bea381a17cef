package pgserve

import (
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
)

// float8Text is x as PostgreSQL's float8out writes it with
// extra_float_digits 1, its default: the shortest digits that read back
// as x (src/common/d2s.c), in fixed notation when the decimal exponent is
// from -4 to 14 and as d.ddde±XX otherwise; NaN, Infinity and -Infinity.
// pgx writes strconv's 'f' form (1e-300 with 300 zeros) and +Inf.
func float8Text(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(x, 'e', -1, 64)
	exp, _ := strconv.Atoi(s[strings.LastIndexByte(s, 'e')+1:])
	if exp < -4 || exp >= 15 {
		return s
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// float8Codec is pgx's float8 codec, except that a float64 in text format
// is written as PostgreSQL writes it (float8Text).
type float8Codec struct{ pgtype.Float8Codec }

// PlanEncode plans float8Text for a float64 in text format and leaves
// the rest to pgx.
func (c float8Codec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if _, ok := value.(float64); ok && format == pgtype.TextFormatCode {
		return float8TextPlan{}
	}
	return c.Float8Codec.PlanEncode(m, oid, format, value)
}

type float8TextPlan struct{}

func (float8TextPlan) Encode(value any, buf []byte) ([]byte, error) {
	return append(buf, float8Text(value.(float64))...), nil
}

// registerFloat8 makes a session's type map write float8 as PostgreSQL.
func registerFloat8(m *pgtype.Map) {
	m.RegisterType(&pgtype.Type{Name: "float8", OID: oidFloat8, Codec: float8Codec{}})
}
