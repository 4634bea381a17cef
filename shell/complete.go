package shell

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/registry"
)

// Completer completes the word before the cursor in the shell: SQL and
// apiql keywords; provider, service and resource names at each dot of a
// dotted name (and method names after EXEC provider.service.resource.);
// the columns of the resources the statement names (their fields and the
// parameters of their select methods, data__ body fields in an INSERT
// column list or an UPDATE's SET, @params after EXEC); variables after
// "{{ ."; meta-commands and their arguments after a leading ".".
//
// The statement is the current line plus the lines of an unfinished
// statement typed before it (Pending), so a FROM on an earlier line brings
// its columns. Completer implements readline.AutoCompleter.
type Completer struct {
	Registry *registry.Registry
	// Pending returns the earlier lines of the statement being typed, each
	// ending in "\n", or "" when the current line starts a statement. Nil
	// means "".
	Pending func() string
	// Vars returns the names of the shell's variables, for {{ .name }},
	// .set and .unset. Nil means none.
	Vars func() []string
}

// Do implements readline.AutoCompleter: it returns what each candidate
// adds after the cursor, and how many runes of the word are typed.
func (c *Completer) Do(line []rune, pos int) ([][]rune, int) {
	pos = min(max(pos, 0), len(line))
	before := string(line[:pos])
	typed, cands := c.Complete(string(line), len(before))
	n := utf8.RuneCountInString(typed)
	out := make([][]rune, 0, len(cands))
	for _, cand := range cands {
		out = append(out, []rune(cand)[n:])
	}
	return out, n
}

// Complete returns the part of the word before byte offset cursor of line
// that is already typed, and the candidates for the whole word, each
// starting with it and ending with what naturally follows (a space after a
// keyword, a dot after a provider in a dotted name). No candidates means
// nothing to propose: inside a string or a comment, say.
func (c *Completer) Complete(line string, cursor int) (typed string, candidates []string) {
	if cursor < 0 || cursor > len(line) {
		cursor = len(line)
	}
	pending := ""
	if c.Pending != nil {
		pending = c.Pending()
	}
	before := line[:cursor]
	if pending == "" {
		if t := strings.TrimLeft(before, " \t"); strings.HasPrefix(t, ".") {
			return c.completeMeta(t)
		}
	}
	return c.completeSQL(pending+before, pending+line)
}

// --- meta-commands ---------------------------------------------------------

func (c *Completer) completeMeta(text string) (string, []string) {
	name, rest, hasArgs := strings.Cut(text, " ")
	if !hasArgs {
		var cands []string
		for _, m := range metaCommands {
			cand := m.name
			if m.args != "" {
				cand += " "
			}
			cands = append(cands, cand)
		}
		return matchWords(name, cands, false)
	}
	fields := strings.Fields(rest)
	word := ""
	if !strings.HasSuffix(rest, " ") && !strings.HasSuffix(rest, "\t") && len(fields) > 0 {
		word = fields[len(fields)-1]
		fields = fields[:len(fields)-1]
	}
	arg := len(fields) // index of the argument being typed
	switch strings.ToLower(name) {
	case ".output", ".mode":
		if arg == 0 {
			var fs []string
			for _, f := range Formats() {
				fs = append(fs, string(f))
			}
			return matchWords(word, fs, false)
		}
	case ".headers", ".timing":
		if arg == 0 {
			return matchWords(word, []string{"on", "off"}, false)
		}
	case ".cache":
		if arg == 0 {
			return matchWords(word, []string{"clear"}, false)
		}
	case ".read":
		if arg == 0 {
			return word, completePath(word)
		}
	case ".set", ".unset":
		if arg == 0 && c.Vars != nil {
			suffix := ""
			if strings.EqualFold(name, ".set") {
				suffix = " "
			}
			var names []string
			for _, v := range c.Vars() {
				names = append(names, v+suffix)
			}
			return matchWords(word, names, false)
		}
	}
	return word, nil
}

// completePath proposes files and folders whose path starts with word;
// folders end in "/".
func completePath(word string) []string {
	dirPart := word[:strings.LastIndex(word, "/")+1]
	base := word[len(dirPart):]
	dir := dirPart
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(expandHome(dir))
	if err != nil {
		return nil
	}
	var cands []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if fi, err := os.Stat(filepath.Join(expandHome(dir), name)); err == nil {
				isDir = fi.IsDir()
			}
		}
		if isDir {
			name += "/"
		}
		cands = append(cands, dirPart+name)
	}
	sort.Strings(cands)
	return cands
}

// --- SQL ---------------------------------------------------------------------

// statementStarts begin a statement.
var statementStarts = []string{"DELETE", "DESCRIBE", "EXEC", "EXPLAIN", "INSERT", "SELECT", "SHOW", "UPDATE", "VALUES", "WITH"}

// showKinds follow SHOW.
var showKinds = []string{"EXTENDED", "INSERT", "METHODS", "PROVIDERS", "RESOURCES", "SERVICES"}

// keywords are proposed where an expression or clause may go.
var keywords = []string{
	"ALL", "AND", "AS", "ASC", "BETWEEN", "BY", "CASE", "CAST", "CROSS", "DELETE", "DESC", "DESCRIBE",
	"DISTINCT", "ELSE", "END", "EXCEPT", "EXEC", "EXISTS", "EXTENDED", "FALSE", "FROM", "GLOB", "GROUP",
	"HAVING", "IN", "INNER", "INSERT", "INTERSECT", "INTO", "IS", "JOIN", "LEFT", "LIKE", "LIMIT",
	"METHODS", "NOT", "NULL", "OFFSET", "ON", "OR", "ORDER", "OUTER", "PROVIDERS", "RESOURCES",
	"RETURNING", "SELECT", "SERVICES", "SET", "SHOW", "THEN", "TRUE", "UNION", "UPDATE", "USING",
	"VALUES", "WHEN", "WHERE", "WITH",
}

// functions are SQLite functions worth proposing.
var functions = []string{
	"abs(", "avg(", "coalesce(", "count(", "date(", "datetime(", "group_concat(", "ifnull(", "instr(",
	"json_array_length(", "json_each(", "json_extract(", "json_group_array(", "json_object(", "length(",
	"lower(", "max(", "min(", "printf(", "replace(", "round(", "strftime(", "substr(", "sum(", "total(",
	"trim(", "upper(",
}

// exprAfter are keywords after which an expression (a column) comes.
var exprAfter = map[string]bool{
	"SELECT": true, "WHERE": true, "AND": true, "OR": true, "NOT": true, "ON": true, "BY": true, "SET": true,
	"HAVING": true, "WHEN": true, "THEN": true, "ELSE": true, "CASE": true, "DISTINCT": true, "ALL": true,
	"LIKE": true, "GLOB": true, "BETWEEN": true, "IS": true, "IN": true, "RETURNING": true, "USING": true,
}

// reserved words cannot be aliases.
var reserved = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range keywords {
		m[k] = true
	}
	for _, k := range []string{"FULL", "RIGHT", "NATURAL", "WINDOW", "INDEXED", "LATERAL"} {
		m[k] = true
	}
	return m
}()

// ref is a resource named in the statement, with its alias.
type ref struct {
	res   *registry.Resource
	alias string
}

// varRef is a template variable being typed: {{ .na
var varRef = regexp.MustCompile(`\{\{-?\s*\.([A-Za-z_][A-Za-z0-9_]*)?$`)

func (c *Completer) completeSQL(text, full string) (string, []string) {
	if m := varRef.FindStringSubmatch(text); m != nil {
		var names []string
		if c.Vars != nil {
			for _, v := range c.Vars() {
				names = append(names, v+" }}")
			}
		}
		return matchWords(m[1], names, false)
	}
	// The word being typed: identifier characters, after at most two @.
	start := len(text)
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:start])
		if !isIdentRune(r) {
			break
		}
		start -= size
	}
	for k := 0; k < 2 && start > 0 && text[start-1] == '@'; k++ {
		start--
	}
	word := text[start:]
	if word != "" && word[0] >= '0' && word[0] <= '9' {
		return word, nil
	}
	toks, ok := lexBefore(text[:start])
	if !ok {
		return word, nil // inside a string, a quoted name or a comment
	}
	// The statement's tokens: after the last semicolon.
	stmtStart := 0
	for i, t := range toks {
		if t.IsOp(";") {
			stmtStart = i + 1
		}
	}
	toks = toks[stmtStart:]
	refs := c.refs(full, len(text))

	// A dotted name: the parts typed before the word, each right after a dot.
	i, pos := len(toks), start
	var quals []string
	for i >= 2 && toks[i-1].IsOp(".") && toks[i-1].End == pos && toks[i-2].IsName() && toks[i-2].End == toks[i-1].Pos {
		quals = append([]string{toks[i-2].Value}, quals...)
		pos = toks[i-2].Pos
		i -= 2
	}
	prev := toks[:i]
	kwCase := keywordCase(word, toks)

	if strings.HasPrefix(word, "@") {
		return matchWords(word, c.execParams(toks, prev), false)
	}
	if depth, final, ok := nameTarget(prev); ok {
		cands := c.names(quals, depth, final)
		if len(quals) == 0 && len(prev) > 0 && (prev[len(prev)-1].Is("DESCRIBE") || prev[len(prev)-1].Is("DESC")) {
			cands = append(cands, kwCase("EXTENDED "))
		}
		return matchWords(word, cands, true)
	}
	if len(quals) > 0 {
		if len(quals) == 1 {
			for _, rf := range refs {
				if strings.EqualFold(rf.alias, quals[0]) || rf.alias == "" && strings.EqualFold(rf.res.Name, quals[0]) {
					return matchWords(word, columns(rf.res), true)
				}
			}
		}
		if c.Registry != nil && c.Registry.Provider(quals[0]) != nil {
			return matchWords(word, c.names(quals, 3, ""), true)
		}
		return word, nil
	}
	if len(prev) == 0 {
		return matchWords(word, withSuffix(kwCase, statementStarts, " "), true)
	}
	if cands, ok := c.special(prev, kwCase); ok {
		return matchWords(word, cands, true)
	}

	// Anywhere else: columns, functions, keywords.
	var cols []string
	switch {
	case prev[0].Is("INSERT") || prev[0].Is("REPLACE"):
		if inInsertColumns(prev) {
			return matchWords(word, writeColumns(refs, registry.VerbInsert, true, true), true)
		}
	case prev[0].Is("UPDATE"):
		switch lastClause(prev) {
		case "SET":
			return matchWords(word, writeColumns(refs, registry.VerbUpdate, true, false), true)
		case "WHERE":
			cols = writeColumns(refs, registry.VerbUpdate, false, true)
		}
	case prev[0].Is("DELETE"):
		if lastClause(prev) == "WHERE" {
			cols = writeColumns(refs, registry.VerbDelete, false, true)
		}
	case prev[0].Is("EXEC") || prev[0].Is("EXECUTE"):
		if last := prev[len(prev)-1]; last.Kind == sqltext.Param || last.IsOp("=") {
			return word, nil // a value comes next
		}
		return matchWords(word, c.execParams(toks, prev), false)
	}
	for _, rf := range refs {
		cols = append(cols, columns(rf.res)...)
	}
	cols = dedupe(cols)
	var fns []string
	for _, f := range functions {
		if kwCase("x") == "X" && word != "" {
			f = strings.ToUpper(f)
		}
		fns = append(fns, f)
	}
	kws := withSuffix(kwCase, keywords, " ")
	if word == "" {
		if expressionNext(prev) {
			return "", append(cols, fns...)
		}
		return "", kws
	}
	all := append(append(cols, fns...), kws...)
	return matchWords(word, all, true)
}

// special handles the words of apiql's own statements: SHOW's kinds,
// DESCRIBE's EXTENDED.
func (c *Completer) special(prev []sqltext.Token, kwCase func(string) string) ([]string, bool) {
	last := prev[len(prev)-1]
	if prev[0].Is("SHOW") {
		switch {
		case len(prev) == 1:
			return withSuffix(kwCase, showKinds, " "), true
		case len(prev) == 2 && last.Is("EXTENDED"):
			return withSuffix(kwCase, []string{"METHODS", "PROVIDERS", "RESOURCES", "SERVICES"}, " "), true
		case last.Is("INSERT"):
			return []string{kwCase("INTO ")}, true
		case last.Is("PROVIDERS"):
			return []string{kwCase("LIKE ")}, true
		case last.Is("SERVICES") || last.Is("RESOURCES") || last.Is("METHODS"):
			return []string{kwCase("IN "), kwCase("LIKE ")}, true
		}
		return []string{kwCase("LIKE ")}, true
	}
	return nil, false
}

// nameTarget says whether a resource name comes after prev: how many parts
// it has (1 provider, 2 service, 3 resource, 4 method) and what follows it.
func nameTarget(prev []sqltext.Token) (depth int, final string, ok bool) {
	if len(prev) == 0 {
		return 0, "", false
	}
	last := prev[len(prev)-1]
	if prev[0].Is("SHOW") {
		if !(last.Is("IN") || last.Is("FROM") || last.Is("INTO")) {
			return 0, "", false
		}
		for _, t := range prev[1:] {
			switch {
			case t.Is("SERVICES"):
				return 1, "", true
			case t.Is("RESOURCES"):
				return 2, "", true
			case t.Is("METHODS") || t.Is("INSERT"):
				return 3, "", true
			}
		}
		return 0, "", false
	}
	switch {
	case last.Is("FROM") || last.Is("JOIN") || last.Is("INTO") || last.Is("UPDATE"):
		return 3, " ", true
	case last.Is("DESCRIBE") || last.Is("DESC") && len(prev) == 1:
		return 3, "", true
	case last.Is("EXTENDED") && len(prev) == 2 && (prev[0].Is("DESCRIBE") || prev[0].Is("DESC")):
		return 3, "", true
	case (last.Is("EXEC") || last.Is("EXECUTE")) && len(prev) == 1:
		return 4, " ", true
	case last.IsOp(","):
		if lastClause(prev) == "FROM" {
			return 3, " ", true
		}
	}
	return 0, "", false
}

// names lists the registry names one level below quals: providers,
// services, resources or methods. A name that is not the last of depth
// parts ends with a dot; the last ends with final.
func (c *Completer) names(quals []string, depth int, final string) []string {
	if c.Registry == nil || len(quals) >= depth {
		return nil
	}
	end := func(name string) string {
		if len(quals)+1 < depth {
			return name + "."
		}
		return name + final
	}
	var out []string
	switch len(quals) {
	case 0:
		for _, p := range c.Registry.Providers {
			out = append(out, end(p.Name))
		}
	case 1:
		if p := c.Registry.Provider(quals[0]); p != nil {
			for _, s := range p.Services {
				out = append(out, end(s.Name))
			}
		}
	case 2:
		if s := c.service(quals[0], quals[1]); s != nil {
			for _, r := range s.Resources() {
				out = append(out, end(r.Name))
			}
		}
	case 3:
		if s := c.service(quals[0], quals[1]); s != nil {
			if r := s.Resource(quals[2]); r != nil {
				for _, m := range r.Methods {
					out = append(out, end(m.Name))
				}
			}
		}
	}
	return out
}

func (c *Completer) service(provider, service string) *registry.Service {
	if c.Registry == nil {
		return nil
	}
	p := c.Registry.Provider(provider)
	if p == nil {
		return nil
	}
	return p.Service(service)
}

// refs finds the resources named in the statement of full that holds byte
// offset at, with their aliases.
func (c *Completer) refs(full string, at int) []ref {
	if c.Registry == nil {
		return nil
	}
	toks := lexLenient(full)
	// The statement around the cursor.
	lo, hi := 0, len(toks)
	for i, t := range toks {
		if t.IsOp(";") {
			if t.End <= at {
				lo = i + 1
			} else {
				hi = i
				break
			}
		}
	}
	toks = toks[lo:hi]
	var out []ref
	for i := 0; i < len(toks); i++ {
		if !toks[i].IsName() {
			continue
		}
		parts := []string{toks[i].Value}
		j := i + 1
		for j+1 < len(toks) && toks[j].IsOp(".") && toks[j].Pos == toks[j-1].End && toks[j+1].IsName() && toks[j+1].Pos == toks[j].End {
			parts = append(parts, toks[j+1].Value)
			j += 2
		}
		if len(parts) < 3 {
			continue
		}
		s := c.service(parts[0], parts[1])
		if s == nil {
			i = j - 1
			continue
		}
		res := s.Resource(parts[2])
		if res == nil {
			i = j - 1
			continue
		}
		rf := ref{res: res}
		if len(parts) == 3 && j < len(toks) {
			k := j
			if toks[k].Is("AS") && k+1 < len(toks) {
				k++
			}
			if t := toks[k]; t.Kind == sqltext.QuotedIdent || t.Kind == sqltext.Ident && !reserved[strings.ToUpper(t.Text)] {
				rf.alias = t.Value
			}
		}
		out = append(out, rf)
		i = j - 1
	}
	return out
}

// columns are a resource's fields, then the parameters of its select
// methods that are not fields (image_id): what a SELECT can name.
func columns(r *registry.Resource) []string {
	var out []string
	for _, f := range r.Fields {
		out = append(out, f.Name)
	}
	for _, m := range r.MethodsFor(registry.VerbSelect) {
		for _, p := range m.Params {
			if r.Field(p.Name) == nil {
				out = append(out, p.Name)
			}
		}
	}
	return dedupe(out)
}

// writeColumns are what a write names for the methods of verb: data__
// body fields when body is set (an INSERT column list, an UPDATE's SET),
// parameters when params is set (an INSERT column list, the WHERE of an
// UPDATE or DELETE, which may also name the resource's columns).
func writeColumns(refs []ref, verb string, body, params bool) []string {
	var out []string
	for _, rf := range refs {
		for _, m := range rf.res.MethodsFor(verb) {
			if body {
				for _, b := range m.Body {
					out = append(out, "data__"+b.Name)
				}
			}
			if params {
				for _, p := range m.Params {
					out = append(out, p.Name)
				}
			}
		}
	}
	return dedupe(out)
}

// execParams are the @params of the method an EXEC statement names, less
// those it already sets, then @@json.
func (c *Completer) execParams(toks, prev []sqltext.Token) []string {
	if len(toks) < 8 || !(toks[0].Is("EXEC") || toks[0].Is("EXECUTE")) {
		return nil
	}
	var parts []string
	for k := 1; k < len(toks) && len(parts) < 4; k += 2 {
		if !toks[k].IsName() || len(parts) > 0 && !toks[k-1].IsOp(".") {
			return nil
		}
		parts = append(parts, toks[k].Value)
	}
	s := c.service(parts[0], parts[1])
	if s == nil || len(parts) < 4 {
		return nil
	}
	r := s.Resource(parts[2])
	if r == nil {
		return nil
	}
	m := r.Method(parts[3])
	if m == nil {
		return nil
	}
	used := map[string]bool{}
	for _, t := range prev {
		if t.Kind == sqltext.Param {
			used[strings.ToLower(t.Value)] = true
		}
	}
	var out []string
	for _, p := range append(append([]*registry.Param{}, m.Params...), m.Body...) {
		if !used[strings.ToLower(p.Name)] {
			out = append(out, "@"+p.Name)
		}
	}
	if !used["json"] && len(m.Body) > 0 {
		out = append(out, "@@json")
	}
	return dedupe(out)
}

// inInsertColumns reports whether the end of prev, the tokens of an INSERT,
// is inside its column list: INSERT INTO name ( ... not yet closed.
func inInsertColumns(prev []sqltext.Token) bool {
	k := 0
	for k < len(prev) && !prev[k].Is("INTO") {
		k++
	}
	k++
	for k < len(prev) && (prev[k].IsName() || prev[k].IsOp(".")) {
		k++
	}
	if k >= len(prev) || !prev[k].IsOp("(") {
		return false
	}
	for _, t := range prev[k+1:] {
		if t.IsOp(")") || t.IsOp("(") {
			return false
		}
	}
	return true
}

// lastClause returns the last of SET, WHERE, RETURNING, FROM and SELECT at
// the outermost level of prev, upper-cased, or "".
func lastClause(prev []sqltext.Token) string {
	depth, clause := 0, ""
	for _, t := range prev {
		switch {
		case t.IsOp("("):
			depth++
		case t.IsOp(")"):
			depth--
		case depth == 0 && (t.Is("SET") || t.Is("WHERE") || t.Is("RETURNING") || t.Is("FROM") || t.Is("SELECT") ||
			t.Is("GROUP") || t.Is("ORDER") || t.Is("LIMIT") || t.Is("HAVING") || t.Is("JOIN") || t.Is("ON")):
			clause = strings.ToUpper(t.Text)
		}
	}
	return clause
}

// expressionNext reports whether, after prev, an expression (rather than a
// clause keyword) comes next.
func expressionNext(prev []sqltext.Token) bool {
	last := prev[len(prev)-1]
	switch {
	case last.Kind == sqltext.Op:
		if last.IsOp(")") {
			return false
		}
		if last.IsOp("*") {
			// SELECT * and t.* end an expression; a * b does not.
			return !(len(prev) > 1 && (prev[len(prev)-2].Is("SELECT") || prev[len(prev)-2].IsOp(",") || prev[len(prev)-2].IsOp(".")))
		}
		return true
	case last.Kind == sqltext.Ident:
		return exprAfter[strings.ToUpper(last.Text)]
	}
	return false
}

// keywordCase returns how to write keywords: in lower case when the word
// typed is lower case, or when nothing is typed and the statement's first
// keyword is; in upper case otherwise.
func keywordCase(word string, toks []sqltext.Token) func(string) string {
	lower := false
	switch {
	case strings.TrimLeft(word, "@") != "":
		lower = strings.ToLower(word) == word
	case len(toks) > 0 && toks[0].Kind == sqltext.Ident:
		lower = strings.ToLower(toks[0].Text) == toks[0].Text
	}
	if lower {
		return strings.ToLower
	}
	return strings.ToUpper
}

func withSuffix(cs func(string) string, words []string, suffix string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = cs(w) + suffix
	}
	return out
}

// matchWords keeps the candidates that start with word (ignoring case when
// fold is set) and writes each as word followed by the rest of the
// candidate, so that every candidate starts with what is typed.
func matchWords(word string, cands []string, fold bool) (string, []string) {
	var out []string
	seen := map[string]bool{}
	for _, cand := range cands {
		if len(cand) < len(word) {
			continue
		}
		head := cand[:len(word)]
		if head != word && !(fold && strings.EqualFold(head, word)) {
			continue
		}
		full := word + cand[len(word):]
		if !seen[full] {
			seen[full] = true
			out = append(out, full)
		}
	}
	return word, out
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func isIdentRune(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r) || r >= utf8.RuneSelf && r != utf8.RuneError
}

// lexBefore lexes the text before the word being completed. It fails when
// that text ends inside a string, a quoted identifier or a comment, or does
// not lex at all.
func lexBefore(text string) ([]sqltext.Token, bool) {
	toks, err := sqltext.Lex(text)
	if err != nil {
		return nil, false
	}
	end := 0
	if len(toks) > 0 {
		end = toks[len(toks)-1].End
	}
	// What follows the last token is space and comments: is a -- comment
	// still open at the end?
	rest := text[end:]
	for rest != "" {
		switch {
		case rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r' || rest[0] == '\f' || rest[0] == '\v':
			rest = rest[1:]
		case strings.HasPrefix(rest, "--"):
			nl := strings.IndexByte(rest, '\n')
			if nl < 0 {
				return nil, false
			}
			rest = rest[nl+1:]
		case strings.HasPrefix(rest, "/*"):
			close := strings.Index(rest[2:], "*/")
			if close < 0 {
				return nil, false
			}
			rest = rest[close+4:]
		default:
			return toks, true
		}
	}
	return toks, true
}

// lexLenient lexes as much of text as lexes: up to a lexical error.
func lexLenient(text string) []sqltext.Token {
	for range 3 {
		toks, err := sqltext.Lex(text)
		var le *sqltext.Error
		if err == nil || !errors.As(err, &le) || le.Pos >= len(text) {
			return toks
		}
		text = text[:le.Pos]
	}
	return nil
}
