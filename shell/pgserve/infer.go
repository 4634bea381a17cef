package pgserve

import "strings"

// selectItems returns the expressions of the statement's top-level select
// list, each without its alias; nil when the list has a * (whose columns
// the list does not show) or cannot be found.
func selectItems(toks []token) [][]token {
	items, _ := selectList(toks)
	return items
}

// selectList returns the items of the statement's top-level select list,
// each without its alias, and the aliases (nil for an item without one);
// nil when the list has a * or cannot be found.
func selectList(toks []token) ([][]token, []*token) {
	start := -1
	depth := 0
	for i, t := range toks {
		switch {
		case t.isOp("("):
			depth++
		case t.isOp(")"):
			depth--
		case depth == 0 && t.is("select"):
			start = i + 1
		}
		if start >= 0 {
			break
		}
	}
	if start < 0 {
		return nil, nil
	}
	if start < len(toks) && (toks[start].is("distinct") || toks[start].is("all")) {
		start++
	}
	var items [][]token
	var aliases []*token
	from := start
	depth = 0
	for i := start; i <= len(toks); i++ {
		end := i == len(toks)
		if !end {
			t := toks[i]
			switch {
			case t.isOp("(") || t.isOp("["):
				depth++
				continue
			case t.isOp(")") || t.isOp("]"):
				depth--
				continue
			case depth > 0:
				continue
			case t.is("from") || t.is("where") || t.is("group") || t.is("order") || t.is("limit") || t.is("union") ||
				t.is("intersect") || t.is("except") || t.is("having") || t.is("window") || t.isOp(";"):
				end = true
			case !t.isOp(","):
				continue
			}
		}
		item := stripAlias(toks[from:i])
		if len(item) == 0 || item[len(item)-1].isOp("*") {
			return nil, nil
		}
		var alias *token
		if len(item) < i-from {
			alias = &toks[i-1]
		}
		items = append(items, item)
		aliases = append(aliases, alias)
		from = i + 1
		if end {
			break
		}
	}
	return items, aliases
}

// stripAlias drops "AS name" or a trailing alias from a select item.
func stripAlias(item []token) []token {
	n := len(item)
	switch {
	case n >= 3 && item[n-2].is("as"):
		return item[:n-2]
	case n >= 2 && item[n-1].Kind == tIdent && (item[n-1].Quoted || !sqlKeywords[item[n-1].Value]) &&
		(item[n-2].Kind != tOp || item[n-2].isOp(")") || item[n-2].isOp("]")) && (item[n-2].Kind != tIdent || item[n-2].is("end") ||
		item[n-2].Quoted || !sqlKeywords[item[n-2].Value]) && !item[n-1].is("end"):
		return item[:n-1]
	}
	return item
}

// inferOID types a select item SQLite computes, from its form: aggregates,
// casts, literals, and the fields (types by lower-case name) it reads.
// 0 means it cannot tell.
func inferOID(item []token, fields map[string]uint32) uint32 {
	for len(item) >= 2 && item[0].isOp("(") && matching(item, 0, "(", ")") == len(item)-1 {
		item = item[1 : len(item)-1]
	}
	if len(item) == 0 {
		return 0
	}
	// x::type
	for i := len(item) - 2; i > 0; i-- {
		if item[i].isOp("::") {
			_, name, array := castType(item, i+1)
			if oid, ok := castOID(name); ok && !array {
				return oid
			}
			return 0
		}
	}
	t := item[0]
	switch {
	case len(item) == 1 && t.Kind == tNumber:
		if strings.ContainsAny(t.Text, ".eE") {
			return oidFloat8
		}
		return oidInt8
	case len(item) == 1 && t.Kind == tString:
		return oidText
	case len(item) == 1 && (t.is("true") || t.is("false")):
		return oidBool
	case len(item) == 2 && t.isOp("-") && item[1].Kind == tNumber:
		return inferOID(item[1:], fields)
	case t.Kind == tIdent && len(item) > 1 && item[1].isOp("(") && matching(item, 1, "(", ")") == len(item)-1:
		args := item[2 : len(item)-1]
		switch strings.ToLower(t.Value) {
		case "count", "length", "octet_length", "json_array_length", "instr", "unixepoch", "row_number", "rank",
			"dense_rank", "ntile", "char_length", "character_length", "cardinality", "array_length",
			"extract": // the fields apiql extracts are whole numbers (see rewrite)
			return oidInt8
		case "sum", "total", "avg":
			return oidFloat8
		case "min", "max", "abs", "coalesce", "ifnull", "nullif", "first_value", "last_value", "lag", "lead":
			if commas := topCommas(args, 0, len(args)); len(commas) > 0 {
				args = args[:commas[0]]
			}
			return inferOID(args, fields)
		case "round":
			return oidFloat8
		case "cast":
			for i := len(args) - 1; i > 0; i-- {
				if args[i].is("as") {
					_, name, _ := castType(args, i+1)
					if _, typ := castWrap(name); typ != "" {
						oid, _ := castOID(name)
						return oid
					}
					if oid, ok := castOID(name); ok {
						return oid
					}
					return 0
				}
			}
		case "lower", "upper", "substr", "substring", "trim", "ltrim", "rtrim", "replace", "printf", "format", "concat",
			"concat_ws", "group_concat", "string_agg", "quote_ident", "typeof", "date", "time", "datetime", "strftime",
			"json_extract", "hex":
			return oidText
		case "json_group_array", "json_group_object", "json_array", "json_object", "json":
			return oidJSON
		case "has_table_privilege", "has_any_column_privilege", "has_column_privilege", "has_schema_privilege",
			"has_database_privilege", "has_function_privilege", "pg_has_role", "pg_table_is_visible":
			return oidBool
		}
	case t.Kind == tIdent && (len(item) == 1 || len(item) == 3 && item[1].isOp(".") && item[2].Kind == tIdent):
		name := item[len(item)-1].Value
		if oid, ok := fields[strings.ToLower(name)]; ok {
			return oid
		}
	}
	return 0
}

// typeComputed gives the columns SQLite computes (Oid 0) the type their
// select item shows, then the type of the first row's value, then text.
func typeComputed(cols []uint32, toks []token, fields map[string]uint32, first []any) {
	items := selectItems(toks)
	if len(items) != len(cols) {
		items = nil
	}
	for i := range cols {
		if cols[i] != 0 {
			continue
		}
		if items != nil {
			cols[i] = inferOID(items[i], fields)
		}
		if cols[i] == 0 && first != nil {
			switch first[i].(type) {
			case int64:
				cols[i] = oidInt8
			case float64:
				cols[i] = oidFloat8
			}
		}
		if cols[i] == 0 {
			cols[i] = oidText
		}
	}
}
