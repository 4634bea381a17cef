package pgserve

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// edit replaces src[pos:end] with text. Edits at the same position apply
// in the order made: a later one lands in front (an outer CAST( before an
// inner one).
type edit struct {
	pos, end int
	text     string
	seq      int
}

type editor struct {
	src   string
	edits []edit
}

func (e *editor) add(pos, end int, text string) {
	e.edits = append(e.edits, edit{pos, end, text, len(e.edits)})
}

func (e *editor) String() string {
	sort.SliceStable(e.edits, func(i, j int) bool {
		if e.edits[i].pos != e.edits[j].pos {
			return e.edits[i].pos > e.edits[j].pos
		}
		// Replacements (end > pos) before insertions at the same place,
		// and among insertions the later one goes in front.
		if (e.edits[i].end > e.edits[i].pos) != (e.edits[j].end > e.edits[j].pos) {
			return e.edits[i].end > e.edits[i].pos
		}
		return e.edits[i].seq < e.edits[j].seq
	})
	out := e.src
	for _, ed := range e.edits {
		out = out[:ed.pos] + ed.text + out[ed.end:]
	}
	return out
}

// dialect says what a rewrite may use: the session's values for the
// functions that read it, and how parameters are written.
type dialect struct {
	// values of current_user, current_database(), current_schema(),
	// version(), pg_backend_pid(), and current_setting(name).
	user     string
	version  string
	pid      int32
	settings func(name string) (string, bool)
	// params, when set, gives the SQL text of parameter $n (1-based); when
	// nil, $n becomes SQLite's ?n.
	params func(n int) (string, bool)
	// catalog turns on the rewrites only catalog queries need.
	catalog bool
	// schema maps a schema-qualified table to its three-part resource
	// name ("" when it is no resource table).
	schema func(schema, name string) string
}

// keywords that end an expression or a FROM item: never a function name
// before '(' or an alias after a table.
var sqlKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`all and any array as asc between by case cast collate cross desc distinct else end escape
		except exists fetch for from full group having ilike in inner intersect is isnull join lateral left like limit natural
		not notnull null offset on or order outer right select similar some then union using values when where window with
		returning set into update delete insert`) {
		sqlKeywords[k] = true
	}
}

// sqliteReserved are the keywords SQLite refuses as a column alias that
// Postgres takes after AS.
var sqliteReserved = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`abort action add after all alter always analyze and as asc attach autoincrement before begin
		between by cascade case cast check collate column commit conflict constraint create cross current current_date
		current_time current_timestamp database default deferrable deferred delete desc detach distinct do drop each else end
		escape except exclude exclusive exists explain fail filter first following for foreign from full generated glob group
		groups having if ignore immediate in index indexed initially inner insert instead intersect into is isnull join key last
		left like limit match materialized natural no not nothing notnull null nulls of offset on or order others outer over
		partition plan pragma preceding primary query raise range recursive references regexp reindex release rename replace
		restrict returning right rollback row rows savepoint select set table temp temporary then ties to transaction trigger
		unbounded union unique update using vacuum values view virtual when where window with without`) {
		sqliteReserved[k] = true
	}
}

// exprStart returns the index of the first token of the operand that
// ends at token e (the left side of a :: cast).
func exprStart(toks []token, e int) int {
	if e < 0 {
		return 0
	}
	t := toks[e]
	switch {
	case t.isOp(")") || t.isOp("]"):
		open, close := "(", ")"
		if t.isOp("]") {
			open, close = "[", "]"
		}
		depth := 0
		i := e
		for ; i >= 0; i-- {
			if toks[i].isOp(close) {
				depth++
			} else if toks[i].isOp(open) {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if i <= 0 {
			return max(i, 0)
		}
		if p := toks[i-1]; p.Kind == tIdent && (p.Quoted || !sqlKeywords[p.Value] || p.is("array") || p.is("cast") || p.is("any") || p.is("left") || p.is("right")) {
			i--
			for i >= 2 && toks[i-1].isOp(".") && toks[i-2].Kind == tIdent {
				i -= 2
			}
		}
		return i
	case t.Kind == tIdent:
		i := e
		for i >= 2 && toks[i-1].isOp(".") && toks[i-2].Kind == tIdent {
			i -= 2
		}
		return i
	}
	return e
}

// castType reads the type after '::' at toks[i] and returns the index past
// it and the type's name, lowercased, without schema, modifiers or [].
func castType(toks []token, i int) (int, string, bool) {
	if i < len(toks) && toks[i].Kind == tIdent && strings.EqualFold(toks[i].Value, "pg_catalog") && i+1 < len(toks) && toks[i+1].isOp(".") {
		i += 2
	}
	if i >= len(toks) || toks[i].Kind != tIdent {
		return i, "", false
	}
	name := strings.ToLower(toks[i].Value)
	i++
	for _, multi := range [][]string{{"precision"}, {"varying"}, {"with", "time", "zone"}, {"without", "time", "zone"}} {
		ok := true
		for k, w := range multi {
			if i+k >= len(toks) || !toks[i+k].is(w) {
				ok = false
				break
			}
		}
		if ok {
			name += " " + strings.Join(multi, " ")
			i += len(multi)
		}
	}
	if i < len(toks) && toks[i].isOp("(") {
		// The modifiers, (10) or (10, 2).
		if k := matching(toks, i, "(", ")"); k >= 0 {
			i = k + 1
		} else {
			i = len(toks)
		}
	}
	array := false
	for i+1 < len(toks) && toks[i].isOp("[") && toks[i+1].isOp("]") {
		array = true
		i += 2
	}
	return i, name, array
}

// castWrap says how a cast to type name becomes SQLite: "CAST" with the
// SQLite type, a function to call, or nothing (the value unchanged).
func castWrap(name string) (fn, sqliteType string) {
	switch name {
	case "smallint", "int", "int2", "int4", "int8", "integer", "bigint", "oid", "xid", "cid", "regoper", "regrole":
		return "", "INTEGER"
	case "text", "varchar", "character varying", "char", "character", "bpchar", "name", "unknown", "citext":
		return "", "TEXT"
	case "float4", "float8", "real", "double precision", "numeric", "decimal":
		return "", "REAL"
	case "date":
		// SQLite's date() reads an API's ISO 8601 time (2024-01-02T03:04:05Z)
		// as Postgres's date does; CAST(x AS date) made it 2024.
		return "date", ""
	case "regclass":
		return "regclass", ""
	case "regtype":
		return "regtype", ""
	case "regproc", "regprocedure":
		return "regproc", ""
	case "regnamespace":
		return "regnamespace", ""
	}
	return "", ""
}

// truncUnits is date_trunc(unit, x) in SQLite for each unit but quarter:
// what goes before x and what after.
var truncUnits = map[string][2]string{
	"year":  {"datetime(", ", 'start of year')"},
	"month": {"datetime(", ", 'start of month')"},
	"day":   {"datetime(", ", 'start of day')"},
	// Postgres's weeks start on Monday.
	"week":   {"datetime(", ", '-6 days', 'weekday 1', 'start of day')"},
	"hour":   {"strftime('%Y-%m-%d %H:00:00', ", ")"},
	"minute": {"strftime('%Y-%m-%d %H:%M:00', ", ")"},
	"second": {"strftime('%Y-%m-%d %H:%M:%S', ", ")"},
}

// rewrite turns a Postgres statement into SQLite's dialect, as far as
// clients' catalog and dashboard queries need: casts, Postgres operators,
// E” and $$ strings, $n parameters, ARRAY[...] and = ANY(...), the
// pg_catalog. and information_schema. prefixes, the session functions,
// and schema-qualified resource tables.
func rewrite(src string, toks []token, d dialect) (string, error) {
	ed := &editor{src: src}
	n := len(toks)
	skipUntil := -1
	// castFrom maps the last token of a cast's type to the first token of
	// the value cast, so that x::a::b casts the whole x::a.
	castFrom := map[int]int{}
	consumed := map[int]bool{}
	for i := 0; i < n; i++ {
		if i < skipUntil || consumed[i] {
			continue
		}
		t := toks[i]
		prevDot := i > 0 && toks[i-1].isOp(".") && !(i > 1 && toks[i-2].Kind == tIdent && strings.EqualFold(toks[i-2].Value, "pg_catalog"))
		nextIs := func(op string) bool { return i+1 < n && toks[i+1].isOp(op) }
		switch {
		case t.Kind == tString && t.Text != quoteString(t.Value):
			ed.add(t.Pos, t.End, quoteString(t.Value))
		case t.Kind == tParam:
			var num int
			for _, c := range t.Value {
				num = num*10 + int(c-'0')
			}
			if d.params != nil {
				v, _ := d.params(num)
				ed.add(t.Pos, t.End, v)
			} else {
				ed.add(t.Pos, t.End, "?"+t.Value)
			}
		case t.isOp("::"):
			j, name, array := castType(toks, i+1)
			if name == "" {
				continue
			}
			fn, typ := castWrap(name)
			from, ok := castFrom[i-1]
			if !ok {
				from = exprStart(toks, i-1)
			}
			castFrom[j-1] = from
			start := toks[from].Pos
			switch {
			case array || fn == "" && typ == "":
				ed.add(t.Pos, toks[j-1].End, "")
			case fn != "":
				ed.add(start, start, fn+"(")
				ed.add(t.Pos, toks[j-1].End, ")")
			default:
				ed.add(start, start, "CAST(")
				ed.add(t.Pos, toks[j-1].End, " AS "+typ+")")
			}
			skipUntil = j
		case t.is("operator") && nextIs("("):
			// OPERATOR(pg_catalog.~) is the operator itself.
			k := i + 2
			for k < n && !toks[k].isOp(")") {
				k++
			}
			if k >= n || k == i+2 {
				continue
			}
			ed.add(t.Pos, toks[k].End, " "+opText(toks[k-1].Text)+" ")
			skipUntil = k + 1
		case t.Kind == tOp && opText(t.Text) != t.Text:
			ed.add(t.Pos, t.End, " "+opText(t.Text)+" ")
		case t.is("ilike"):
			ed.add(t.Pos, t.End, "LIKE")
		case t.is("collate") && i+1 < n && toks[i+1].Kind == tIdent:
			k := i + 2
			for k+1 < n && toks[k].isOp(".") && toks[k+1].Kind == tIdent {
				k += 2
			}
			ed.add(t.Pos, toks[k-1].End, "")
			skipUntil = k
		case t.is("is") && i+3 < n && toks[i+1].is("distinct") && toks[i+2].is("from"):
			ed.add(t.Pos, toks[i+2].End, "IS NOT")
			skipUntil = i + 3
		case t.is("is") && i+4 < n && toks[i+1].is("not") && toks[i+2].is("distinct") && toks[i+3].is("from"):
			ed.add(t.Pos, toks[i+3].End, "IS")
			skipUntil = i + 4
		case t.is("array") && nextIs("(") && i+2 < n && toks[i+2].is("select"):
			// array(SELECT x FROM ...) is (SELECT json_group_array(x) FROM ...).
			close := matching(toks, i+1, "(", ")")
			if close < 0 {
				continue
			}
			from := -1
			if kw := topLevel(toks, i+3, close, isKeyword("from")); len(kw) > 0 {
				from = kw[0]
			}
			if from < 0 {
				ed.add(t.Pos, toks[i+2].End, "(SELECT json_array(")
				ed.add(toks[close].Pos, toks[close].Pos, ")")
			} else {
				ed.add(t.Pos, toks[i+2].End, "(SELECT json_group_array(")
				ed.add(toks[from].Pos, toks[from].Pos, ") ")
			}
			skipUntil = i + 3
		case (t.Kind == tIdent && !sqlKeywords[t.Value] || t.isOp(")")) && nextIs("[") && !(i+2 < n && toks[i+2].isOp("]")):
			// x[i], 1-based, is the JSON array element i-1.
			close := matching(toks, i+1, "[", "]")
			if close < 0 || hasOp(toks[i+2:close], ":") {
				continue
			}
			ed.add(toks[i+1].Pos, toks[i+1].End, " ->> ((")
			ed.add(toks[close].Pos, toks[close].End, ") - 1)")
		case t.is("generate_series") && !prevDot && nextIs("("):
			// A recursive CTE stands for the table function; its column is
			// named as the alias (FROM generate_series(0, 3) s ... s).
			close := matching(toks, i+1, "(", ")")
			if close < 0 {
				continue
			}
			commas := topCommas(toks, i+2, close)
			if len(commas) != 1 {
				continue
			}
			col := "generate_series"
			k := close + 1
			if k < n && toks[k].is("as") {
				k++
			}
			if k < n && toks[k].Kind == tIdent && !sqlKeywords[toks[k].Value] {
				col = toks[k].Value
				// AS s(r): the column is r, and SQLite takes no column list.
				if k+3 < n && toks[k+1].isOp("(") && toks[k+2].Kind == tIdent && toks[k+3].isOp(")") {
					col = toks[k+2].Value
					ed.add(toks[k+1].Pos, toks[k+3].End, "")
					consumed[k+1], consumed[k+2], consumed[k+3] = true, true, true
				}
			}
			c := quoteName(col)
			ed.add(t.Pos, toks[i+1].End, fmt.Sprintf("(WITH RECURSIVE _apiql_series(%s) AS (SELECT (", c))
			ed.add(toks[commas[0]].Pos, toks[commas[0]].End, fmt.Sprintf(") UNION ALL SELECT %s + 1 FROM _apiql_series WHERE %s + 1 <= (", c, c))
			ed.add(toks[close].Pos, toks[close].End, fmt.Sprintf(")) SELECT %s FROM _apiql_series)", c))
			skipUntil = i + 2
		case t.isOp("(") && (i == 0 || toks[i-1].Kind != tIdent || toks[i-1].Kind == tIdent && !toks[i-1].Quoted && sqlKeywords[toks[i-1].Value]) &&
			compositeField(toks, i):
			// (row).field reads a field of a composite value, here JSON.
			close := matching(toks, i, "(", ")")
			ed.add(t.Pos, t.Pos, "json_extract(")
			ed.add(toks[close+1].Pos, toks[close+2].End, ", '$."+toks[close+2].Value+"')")
			consumed[close+1], consumed[close+2] = true, true
		case t.Kind == tIdent && !t.Quoted && !prevDot && nextIs("(") && (t.is("floor") || t.is("ceil") || t.is("ceiling")):
			// SQLite has no floor or ceil: the integer part, adjusted by one
			// when the value lies below (floor) or above (ceil) it.
			close := matching(toks, i+1, "(", ")")
			if close < 0 || close == i+2 {
				continue
			}
			arg, err := rewrite(src[toks[i+2].Pos:toks[close-1].End], mustLex(src[toks[i+2].Pos:toks[close-1].End]), d)
			if err != nil {
				return "", err
			}
			x := "(" + arg + ")"
			text := fmt.Sprintf("(CAST(%s AS INTEGER) - (CAST(%s AS INTEGER) > %s))", x, x, x)
			if !t.is("floor") {
				text = fmt.Sprintf("(CAST(%s AS INTEGER) + (CAST(%s AS INTEGER) < %s))", x, x, x)
			}
			ed.add(t.Pos, toks[close].End, text)
			skipUntil = close + 1
		case t.is("as") && i+1 < n && toks[i+1].Kind == tIdent && !toks[i+1].Quoted && sqliteReserved[strings.ToLower(toks[i+1].Text)]:
			// AS default (SQLAlchemy's get_columns): an alias Postgres
			// takes after AS but SQLite reserves, quoted as Postgres names
			// it (lowercased).
			ed.add(toks[i+1].Pos, toks[i+1].End, `"`+strings.ToLower(toks[i+1].Text)+`"`)
		case (t.is("json_build_object") || t.is("jsonb_build_object")) && nextIs("("):
			ed.add(t.Pos, t.End, "json_object")
		case t.is("cast") && !prevDot && nextIs("("):
			// CAST(x AS type) as x::type: SQLite gives a type it does not
			// know (date, timestamp, boolean) numeric affinity, which made
			// CAST('2024-01-02T03:04:05Z' AS date) 2024 (Metabase's day).
			close := matching(toks, i+1, "(", ")")
			as := -1
			if kw := topLevel(toks, i+2, close, isKeyword("as")); len(kw) > 0 {
				as = kw[len(kw)-1]
			}
			if close < 0 || as < 0 {
				continue
			}
			j, name, array := castType(toks, as+1)
			if j != close || name == "" {
				continue
			}
			fn, typ := castWrap(name)
			switch {
			case array || fn == "" && typ == "":
				ed.add(t.Pos, t.End, "")
				ed.add(toks[as].Pos, toks[close].Pos, "")
			case fn != "":
				ed.add(t.Pos, t.End, fn)
				ed.add(toks[as].Pos, toks[close].Pos, "")
			default:
				ed.add(toks[as].End, toks[close].Pos, " "+typ)
			}
		case (t.isOp("+") || t.isOp("-")) && i > 0 && i+2 < n && toks[i+1].is("interval") && toks[i+2].Kind == tString:
			// x + INTERVAL '1 day' is datetime(x, '+1 day') (Metabase's
			// relative dates, week starts).
			mods, ok := intervalModifiers(toks[i+2].Value, t.isOp("-"))
			if !ok {
				return "", hinted("22007", "write INTERVAL 'n unit [n unit ...]' with unit year, month, week, day, hour, minute or second",
					fmt.Sprintf("invalid interval %q", toks[i+2].Value))
			}
			from, ok := castFrom[i-1]
			if !ok {
				from = exprStart(toks, i-1)
			}
			castFrom[i+2] = from
			ed.add(toks[from].Pos, toks[from].Pos, "datetime(")
			ed.add(t.Pos, toks[i+2].End, ", "+mods+")")
			skipUntil = i + 3
		case (t.is("timestamp") || t.is("timestamptz")) && !prevDot && typedLiteral(toks, i) > 0:
			// timestamp [with time zone] '...' (Metabase's date filters) is
			// the time as an API writes it, in UTC, so that it compares
			// with the API's times: 2024-01-02T03:04:05Z.
			j := typedLiteral(toks, i)
			ed.add(t.Pos, toks[j].End, "strftime('%Y-%m-%dT%H:%M:%SZ', "+toks[j].Text+")")
			skipUntil = j + 1
		case t.is("substring") && !prevDot && nextIs("("):
			// substring(x from a for b) is substr(x, a, b) (pgjdbc's
			// getFunctions); substring(x, a, b) stays as it is.
			close := matching(toks, i+1, "(", ")")
			if close < 0 {
				continue
			}
			kw := topLevel(toks, i+2, close, isKeyword("from", "for"))
			if len(kw) == 0 {
				continue
			}
			ed.add(t.Pos, t.End, "substr")
			for _, k := range kw {
				if toks[k].is("for") && len(kw) == 1 {
					ed.add(toks[k].Pos, toks[k].End, ", 1,") // substring(x for b)
					continue
				}
				ed.add(toks[k].Pos, toks[k].End, ",")
			}
		case t.is("extract") && !prevDot && nextIs("(") && i+3 < n && toks[i+2].Kind == tIdent && toks[i+3].is("from"):
			// extract(epoch from x) is unixepoch(x); the other fields are
			// strftime's.
			close := matching(toks, i+1, "(", ")")
			if close < 0 {
				continue
			}
			field := strings.ToLower(toks[i+2].Value)
			if field == "epoch" {
				ed.add(t.Pos, toks[i+3].End, "unixepoch(")
				skipUntil = i + 4
				continue
			}
			if field == "quarter" {
				// Metabase's quarter of year.
				ed.add(t.Pos, toks[i+3].End, "((CAST(strftime('%m', ")
				ed.add(toks[close].Pos, toks[close].End, ") AS INTEGER) + 2) / 3)")
				skipUntil = i + 4
				continue
			}
			f, ok := map[string]string{"year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M", "second": "%S",
				"dow": "%w", "doy": "%j", "week": "%W"}[field]
			if !ok {
				continue
			}
			ed.add(t.Pos, toks[i+3].End, "CAST(strftime('"+f+"', ")
			ed.add(toks[close].Pos, toks[close].End, ") AS INTEGER)")
			skipUntil = i + 4
		case t.is("date_trunc") && !prevDot && nextIs("(") && i+3 < n && toks[i+2].Kind == tString && toks[i+3].isOp(","):
			close := matching(toks, i+1, "(", ")")
			if close < 0 {
				continue
			}
			unit := strings.ToLower(toks[i+2].Value)
			if unit == "quarter" {
				// The month goes back to its quarter's first: the time is
				// read twice, so it is rewritten on its own first.
				if i+4 >= close {
					continue
				}
				inner := src[toks[i+4].Pos:toks[close].Pos]
				x, err := rewrite(inner, mustLex(inner), d)
				if err != nil {
					return "", err
				}
				ed.add(t.Pos, toks[close].End, fmt.Sprintf("datetime(%s, 'start of month', printf('-%%d months', (CAST(strftime('%%m', %s) AS INTEGER) - 1) %% 3))", x, x))
				skipUntil = close + 1
				continue
			}
			wrap, ok := truncUnits[unit]
			if !ok {
				continue
			}
			ed.add(t.Pos, toks[i+3].End, wrap[0])
			ed.add(toks[close].Pos, toks[close].End, wrap[1])
			skipUntil = i + 4
		case t.is("to_timestamp") && !prevDot && nextIs("(") && len(topCommas(toks, i+2, max(matching(toks, i+1, "(", ")"), i+2))) == 0:
			close := matching(toks, i+1, "(", ")")
			if close < 0 {
				continue
			}
			ed.add(t.Pos, toks[i+1].End, "datetime(")
			ed.add(toks[close].Pos, toks[close].End, ", 'unixepoch')")
			skipUntil = i + 2
		case !d.catalog && t.is("now") && !prevDot && nextIs("(") && i+2 < n && toks[i+2].isOp(")"):
			ed.add(t.Pos, toks[i+2].End, "datetime('now')")
			skipUntil = i + 3
		case t.is("trim") && !prevDot && nextIs("(") && i+2 < n:
			// TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) is pg_trim(mode, chars, s).
			close := matching(toks, i+1, "(", ")")
			kw := topLevel(toks, i+2, close, isKeyword("from"))
			if len(kw) == 0 {
				continue
			}
			from := kw[0]
			mode, k := "both", i+2
			if toks[k].is("both") || toks[k].is("leading") || toks[k].is("trailing") {
				mode = strings.ToLower(toks[k].Value)
				k++
			}
			if k == from {
				ed.add(t.Pos, toks[from].End, "pg_trim('"+mode+"', ' ',")
			} else {
				ed.add(t.Pos, toks[k-1].End, "pg_trim('"+mode+"',")
				ed.add(toks[from].Pos, toks[from].End, ",")
			}
			skipUntil = k
		case d.catalog && t.Kind == tIdent && !t.Quoted && !prevDot && nextIs("(") && fromItem(toks, i) &&
			!t.is("generate_series") && !t.is("json_each") && !t.is("json_tree") && !sqlKeywords[t.Value]:
			// A function in FROM (string_to_array(...) s) is a one-row subquery.
			close := matching(toks, i+1, "(", ")")
			if close < 0 {
				continue
			}
			alias, k := t.Value, close+1
			if k < n && toks[k].is("as") {
				k++
			}
			if k < n && toks[k].Kind == tIdent && !sqlKeywords[toks[k].Value] {
				alias = toks[k].Value
			}
			if t.is("unnest") {
				// unnest(array) x: a row per element, the column named x.
				ed.add(t.Pos, toks[i+1].End, "(SELECT value AS "+quoteName(alias)+" FROM json_each(")
				ed.add(toks[close].Pos, toks[close].End, "))")
				skipUntil = i + 2
				continue
			}
			ed.add(t.Pos, t.Pos, "(SELECT ")
			ed.add(toks[close].End, toks[close].End, " AS "+quoteName(alias)+")")
		case d.catalog && t.Kind == tIdent && !t.Quoted && !prevDot && t.is("user") && !nextIs("(") && !nextIs(".") && d.user != "":
			ed.add(t.Pos, t.End, quoteString(d.user))
		case t.is("array") && nextIs("["):
			close := matching(toks, i+1, "[", "]")
			if close < 0 {
				continue
			}
			ed.add(t.Pos, toks[i+1].End, "json_array(")
			ed.add(toks[close].Pos, toks[close].End, ")")
			skipUntil = i + 2
		case (t.isOp("=") || t.isOp("<>") || t.isOp("!=")) && i+2 < n && (toks[i+1].is("any") || toks[i+1].is("some") || toks[i+1].is("all")) && toks[i+2].isOp("("):
			close := matching(toks, i+2, "(", ")")
			if close < 0 {
				continue
			}
			in := "IN"
			if !t.isOp("=") {
				in = "NOT IN"
			}
			if i+3 < n && toks[i+3].is("select") {
				ed.add(t.Pos, toks[i+1].End, in)
			} else {
				ed.add(t.Pos, toks[i+2].End, in+" (SELECT value FROM json_each(")
				ed.add(toks[close].Pos, toks[close].End, "))")
			}
			skipUntil = i + 3
		case t.Kind == tIdent && !prevDot && strings.EqualFold(t.Value, "pg_catalog") && nextIs("."):
			ed.add(t.Pos, toks[i+1].End, "")
			skipUntil = i + 2
		case t.Kind == tIdent && !prevDot && strings.EqualFold(t.Value, "information_schema") && nextIs(".") && i+2 < n && toks[i+2].Kind == tIdent:
			if i+3 < n && toks[i+3].isOp("(") {
				ed.add(t.Pos, toks[i+1].End, "")
			} else {
				ed.add(t.Pos, toks[i+2].End, quoteName("information_schema_"+toks[i+2].Value))
			}
			skipUntil = i + 3
		case t.Kind == tIdent && !t.Quoted && !prevDot && !nextIs("(") && !nextIs(".") && d.user != "" &&
			(t.is("current_user") || t.is("session_user") || t.is("current_role")):
			ed.add(t.Pos, t.End, quoteString(d.user))
		case t.Kind == tIdent && !t.Quoted && !prevDot && !nextIs("(") && !nextIs(".") && (t.is("current_catalog")):
			ed.add(t.Pos, t.End, quoteString(dbName))
		case t.Kind == tIdent && !t.Quoted && !prevDot && (t.is("current_schema")) && !nextIs("."):
			end := t.End
			if nextIs("(") && i+2 < n && toks[i+2].isOp(")") {
				end = toks[i+2].End
				skipUntil = i + 3
			} else if nextIs("(") {
				continue
			}
			ed.add(t.Pos, end, quoteString("public"))
		case t.Kind == tIdent && !t.Quoted && !prevDot && nextIs("(") && i+2 < n && toks[i+2].isOp(")") &&
			(t.is("version") || t.is("current_database") || t.is("pg_backend_pid")):
			v := quoteString(dbName)
			switch {
			case t.is("version"):
				v = quoteString(d.version)
			case t.is("pg_backend_pid"):
				v = strconv.Itoa(int(d.pid))
			}
			ed.add(t.Pos, toks[i+2].End, v)
			skipUntil = i + 3
		case t.Kind == tIdent && !t.Quoted && !prevDot && t.is("current_setting") && nextIs("(") && i+2 < n && toks[i+2].Kind == tString && d.settings != nil:
			close := matching(toks, i+1, "(", ")")
			if close < 0 {
				continue
			}
			v, ok := d.settings(toks[i+2].Value)
			text := "NULL"
			if ok {
				text = quoteString(v)
			}
			ed.add(t.Pos, toks[close].End, text)
			skipUntil = close + 1
		case t.Kind == tIdent && !t.Quoted && !prevDot && nextIs("(") && t.is("string_agg"):
			ed.add(t.Pos, t.End, "group_concat")
		case t.Kind == tIdent && !t.Quoted && !prevDot && nextIs("(") && t.is("array_agg"):
			ed.add(t.Pos, t.End, "json_group_array")
		case t.Kind == tIdent && !prevDot && d.schema != nil && nextIs(".") && i+2 < n && toks[i+2].Kind == tIdent:
			id := d.schema(t.Value, toks[i+2].Value)
			if id == "" {
				continue
			}
			if i+3 < n && toks[i+3].isOp(".") {
				// schema.table.column: the column of the table, which
				// the FROM clause names by its table name.
				ed.add(t.Pos, toks[i+1].End, "")
			} else {
				text := id
				// The table's name stays its alias (schema.table.column
				// reads it), except for a write's target, which takes none.
				if !hasAlias(toks, i+3) && !writeTarget(toks, i) {
					text += " AS " + quoteName(toks[i+2].Value)
				}
				ed.add(t.Pos, toks[i+2].End, text)
			}
			skipUntil = i + 3
		}
	}
	return ed.String(), nil
}

// writeTarget reports whether the name at toks[i] is what an INSERT INTO,
// UPDATE or DELETE FROM writes to.
func writeTarget(toks []token, i int) bool {
	switch {
	case i >= 2 && toks[i-1].is("into") && toks[i-2].is("insert"):
		return true
	case i >= 1 && toks[i-1].is("update") && (i == 1 || toks[i-2].isOp(";")):
		return true
	case i >= 2 && toks[i-1].is("from") && toks[i-2].is("delete"):
		return true
	}
	return false
}

// mustLex lexes text that is part of an already lexed statement.
func mustLex(text string) []token {
	toks, _ := lexPG(text)
	return toks
}

// topCommas returns the indexes of the commas at depth 0 in toks[from:to].
func topCommas(toks []token, from, to int) []int {
	return topLevel(toks, from, to, func(t token) bool { return t.isOp(",") })
}

// topLevel returns the indexes of the tokens of toks[from:to] outside
// parentheses and brackets that match.
func topLevel(toks []token, from, to int, match func(token) bool) []int {
	var out []int
	depth := 0
	for k := from; k < to; k++ {
		switch {
		case toks[k].isOp("(") || toks[k].isOp("["):
			depth++
		case toks[k].isOp(")") || toks[k].isOp("]"):
			depth--
		case depth == 0 && match(toks[k]):
			out = append(out, k)
		}
	}
	return out
}

// isKeyword matches the keywords kws.
func isKeyword(kws ...string) func(token) bool {
	return func(t token) bool {
		for _, kw := range kws {
			if t.is(kw) {
				return true
			}
		}
		return false
	}
}

// compositeField reports whether the parenthesis at toks[i] is followed by
// .field.
func compositeField(toks []token, i int) bool {
	close := matching(toks, i, "(", ")")
	return close > 0 && close+2 < len(toks) && toks[close+1].isOp(".") && toks[close+2].Kind == tIdent &&
		!(i+1 < len(toks) && toks[i+1].is("select"))
}

// fromItem reports whether toks[i] starts an item of a FROM list.
func fromItem(toks []token, i int) bool {
	if i >= 2 && toks[i-1].isOp(".") && strings.EqualFold(toks[i-2].Value, "pg_catalog") {
		i -= 2 // pg_catalog.unnest(...)
	}
	if i == 0 {
		return false
	}
	p := toks[i-1]
	if p.is("from") || p.is("join") {
		return true
	}
	if !p.isOp(",") {
		return false
	}
	depth := 0
	for k := i - 2; k >= 0; k-- {
		t := toks[k]
		switch {
		case t.isOp(")"):
			depth++
		case t.isOp("("):
			if depth == 0 {
				return false
			}
			depth--
		case depth > 0:
		case t.is("from"):
			return true
		case t.is("select") || t.is("where") || t.is("group") || t.is("order") || t.is("having") || t.is("values") || t.is("set"):
			return false
		}
	}
	return false
}

func hasOp(toks []token, op string) bool {
	for _, t := range toks {
		if t.isOp(op) {
			return true
		}
	}
	return false
}

// hasAlias reports whether the FROM item ending before toks[i] has an alias.
func hasAlias(toks []token, i int) bool {
	if i >= len(toks) {
		return false
	}
	t := toks[i]
	if t.is("as") {
		return true
	}
	return t.Kind == tIdent && (t.Quoted || !sqlKeywords[t.Value] && !t.is("group") && !t.is("order") && !t.is("limit"))
}

// matching returns the index of the token closing the bracket at toks[i].
func matching(toks []token, i int, open, close string) int {
	depth := 0
	for k := i; k < len(toks); k++ {
		if toks[k].isOp(open) {
			depth++
		} else if toks[k].isOp(close) {
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// opText is the SQLite spelling of a Postgres operator.
func opText(op string) string {
	switch op {
	case "~":
		return "REGEXP"
	case "!~":
		return "NOT REGEXP"
	case "~*":
		return "REGEXP '(?i)' ||"
	case "!~*":
		return "NOT REGEXP '(?i)' ||"
	case "~~", "~~*":
		return "LIKE"
	case "!~~", "!~~*":
		return "NOT LIKE"
	}
	return op
}

// typedLiteral returns the index of the string of timestamp [with[out]
// time zone] 'text' starting at toks[i], or 0.
func typedLiteral(toks []token, i int) int {
	j := i + 1
	if j+2 < len(toks) && (toks[j].is("with") || toks[j].is("without")) && toks[j+1].is("time") && toks[j+2].is("zone") {
		j += 3
	}
	if j < len(toks) && toks[j].Kind == tString {
		return j
	}
	return 0
}

// intervalModifiers turns an interval's text ('1 day', '-30 days',
// '2 hours 30 minutes') into SQLite's date modifiers, negated for x -
// INTERVAL.
func intervalModifiers(text string, negate bool) (string, bool) {
	f := strings.Fields(strings.ToLower(text))
	if len(f) == 0 || len(f)%2 != 0 {
		return "", false
	}
	var mods []string
	for k := 0; k < len(f); k += 2 {
		n, err := strconv.ParseFloat(f[k], 64)
		if err != nil {
			return "", false
		}
		unit := strings.TrimSuffix(f[k+1], "s")
		switch unit {
		case "year", "month", "day", "hour", "minute", "second":
		case "mon":
			unit = "month"
		case "min":
			unit = "minute"
		case "sec":
			unit = "second"
		case "week":
			n, unit = n*7, "day"
		default:
			return "", false
		}
		if negate {
			n = -n
		}
		mods = append(mods, fmt.Sprintf("'%+g %s'", n, unit))
	}
	return strings.Join(mods, ", "), true
}
