package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/registry"
)

// query runs a SELECT (or WITH, or VALUES): it fetches every resource the
// statement references into SQLite and runs the statement's own text there,
// with only the references rewritten.
func (s *Session) query(ctx context.Context, st sqltext.Statement) (_ *Rows, err error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if t, ok := writeInQuery(st); ok {
		return nil, writeInWithError(t)
	}
	if err := unboundParam(st); err != nil {
		return nil, err
	}
	st, qualified, err := qualifiedColumns(st)
	if err != nil {
		return nil, err
	}
	a := sqltext.Analyze(st.Tokens)
	resources, err := s.resolveRefs(a)
	if err != nil {
		return nil, err
	}
	// A statement only described may hold sample values for parameters
	// (serve's prepared statements): its values are checked when it runs.
	if !describing(ctx) {
		if err := checkJSONComparisons(a, resources); err != nil {
			return nil, err
		}
	}
	if err := s.foldFilters(ctx, st, a, resources); err != nil {
		return nil, err
	}
	plans, err := planSelect(st, a, resources)
	if err != nil {
		return nil, err
	}
	if err := checkUnbound(st, plans); err != nil {
		return nil, err
	}
	if err := s.bindConnections(st, a, plans); err != nil {
		return nil, err
	}
	stages, err := orderFetches(plans)
	if err != nil {
		return nil, err
	}
	limit := rowLimit(st, a, plans)
	none := limitZero(st) || describing(ctx) // no row is wanted: fetch nothing
	tables, pending, drop, err := s.tables(ctx, plans, limit == 0 && !none)
	// The statement's own tables are dropped when its rows are closed, or
	// now if it fails before.
	var stmt *sql.Stmt
	cleanup := func() error {
		if stmt != nil {
			stmt.Close()
		}
		for _, t := range drop {
			s.dropTable(context.Background(), t)
		}
		return nil
	}
	defer func() {
		if err != nil {
			cleanup()
		}
	}()
	if err != nil {
		return nil, err
	}
	// Compile the statement over the (still empty) tables first: a syntax
	// error or an unknown column fails here, before any request is sent.
	text, restore := rewrite(st, a, plans, tables)
	s.tableNames = map[string]string{}
	for _, p := range plans {
		s.tableNames[tables[p.key]] = p.res.ID()
	}
	stmt, err = s.conn.PrepareContext(ctx, text)
	if err != nil {
		return nil, s.sqliteError(st, err)
	}
	if err := s.checkDeps(ctx, st, a, plans, tables); err != nil {
		return nil, err
	}
	if len(pending) > 0 && !none {
		if err := s.checkCalls(plans, pending, nil); err != nil {
			return nil, err
		}
		if _, cached := s.cache[pending[0].key]; s.opts.Stream && limit == 0 && passThrough(plans, pending, cached) {
			if rows, ok, err := s.passThroughRows(ctx, st, stmt, plans[0], tables[plans[0].key], text, restore, cleanup); ok || err != nil {
				return rows, err
			}
		}
		if err := s.loadStages(ctx, st, a, plans, stages, pending, tables, limit); err != nil {
			for _, p := range pending {
				if c, ok := s.cache[p.key]; ok {
					drop = append(drop, c.table)
					delete(s.cache, p.key)
				}
			}
			return nil, s.limitError(err)
		}
	}
	rows, err := s.result(st, func() (*sql.Rows, error) { return stmt.QueryContext(ctx) }, cleanup)
	if err != nil {
		return nil, err
	}
	// A column named after its expression shows the user's own names.
	for i := range rows.Columns {
		rows.Columns[i].Name = qualified.Replace(restore.Replace(rows.Columns[i].Name))
	}
	return rows, nil
}

// tables creates (or finds in the cache) the table of every fetch key. It
// returns the table of each key, the plans whose rows must still be
// loaded, and the tables to drop after the statement (those not cached).
// A fetch cut short by LIMIT (cacheable false) is never cached.
func (s *Session) tables(ctx context.Context, plans []*refPlan, cacheable bool) (map[string]string, []*refPlan, []string, error) {
	tables := map[string]string{}
	var (
		drop    []string
		pending []*refPlan
	)
	now := time.Now()
	for _, p := range plans {
		if _, ok := tables[p.key]; ok {
			continue
		}
		if c, ok := s.cache[p.key]; ok && s.opts.CacheTTL > 0 && now.Sub(c.fetched) < s.opts.CacheTTL {
			tables[p.key] = c.table
			continue
		}
		if c, ok := s.cache[p.key]; ok {
			s.dropTable(ctx, c.table)
			delete(s.cache, p.key)
		}
		for _, c := range p.conns {
			if err := s.clientFor(p.res.Service.Provider, c).CheckAuth(p.res.Service.Provider); err != nil {
				return nil, nil, drop, wrap(p.ref.Pos, "", err)
			}
		}
		name := s.nextTable()
		if err := s.createTable(ctx, name, p.res); err != nil {
			return nil, nil, drop, err
		}
		tables[p.key] = name
		if s.opts.CacheTTL > 0 && cacheable && len(p.deps) == 0 {
			s.cache[p.key] = &cached{table: name, fetched: now}
		} else {
			drop = append(drop, name)
		}
		pending = append(pending, p)
	}
	return tables, pending, drop, nil
}

// load runs the calls of the pending plans, concurrently, inserting rows as
// pages arrive, in one transaction.
func (s *Session) load(ctx context.Context, pending []*refPlan, tables map[string]string, limit int) error {
	s.guard.internal.Store(true)
	defer s.guard.internal.Store(false)
	tx, err := s.conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct {
		plan *refPlan
		mat  *Materializer
		call callParams
		rows *int
		// held keeps the answers of a fan-out of single-object calls
		// (gets), inserted in call order once all are in, so that the
		// rows come out in the order the values were written.
		held *[]json.RawMessage
	}
	var jobs []job
	for _, p := range pending {
		s.calls += len(p.calls)
		s.callsBy[p.res.ID()] += len(p.calls)
		m, err := newMaterializer(ctx, tx, tables[p.key], p.res)
		if err != nil {
			return err
		}
		defer m.Close()
		rows := new(int)
		for _, c := range p.calls {
			j := job{plan: p, mat: m, call: c, rows: rows}
			if len(p.calls) > 1 && (!p.method.Paginated || len(p.deps) == 0) {
				// A fan-out of WHERE values: its answers go in in call
				// order, so that an object several calls find is the
				// first call's row, whichever answer came first.
				j.held = new([]json.RawMessage)
			}
			jobs = append(jobs, j)
		}
	}
	var (
		mu       sync.Mutex // serializes inserts: one connection
		firstErr error
		wg       sync.WaitGroup
		// Each connection has its own budget of calls in flight, as it
		// has its own token and rate limit.
		sems     = map[string]chan struct{}{}
		pages    = map[*refPlan]int{}
		totals   = map[*refPlan]int{}
		seenObjs = map[*refPlan]map[string]int{} // identity -> the job that inserted it
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
		mu.Unlock()
	}
	for _, j := range jobs {
		if sems[j.call.conn] == nil {
			sems[j.call.conn] = make(chan struct{}, s.opts.Concurrency)
		}
	}
	for ji, j := range jobs {
		wg.Add(1)
		sem := sems[j.call.conn]
		cl := s.clientFor(j.plan.res.Service.Provider, j.call.conn)
		label := s.connectionLabel(j.plan.res.Service.Provider, j.call.conn)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			call := provider.Call{Method: j.plan.method, Params: j.call.send, Limit: limit}
			call.PageCount = func(n int) {
				mu.Lock()
				totals[j.plan] += n
				mu.Unlock()
			}
			err := cl.List(ctx, call, func(objs []json.RawMessage) error {
				mu.Lock()
				defer mu.Unlock()
				if firstErr != nil {
					return provider.ErrStop
				}
				if j.held != nil {
					*j.held = append(*j.held, objs...)
					return nil
				}
				if j.plan.dedupe {
					objs = unseen(seenObjs, j.plan, j.call, ji, objs)
				}
				n, err := j.mat.Insert(ctx, objs, j.call.cols)
				*j.rows += n
				pages[j.plan]++
				if err != nil {
					return fmt.Errorf("%s: %w", j.plan.res.ID(), err)
				}
				if s.opts.Progress != nil {
					s.opts.Progress(ProgressEvent{Resource: j.plan.res.ID(), Pages: pages[j.plan], TotalPages: totals[j.plan], Rows: *j.rows})
				}
				if limit > 0 && *j.rows >= limit {
					return provider.ErrStop
				}
				return nil
			})
			if err := s.callError(j.plan, j.call, label, err); err != nil {
				fail(err)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	found := map[*refPlan]map[string]map[string]bool{} // intersections: identity -> values that found it
	for _, j := range jobs {
		if j.held == nil || j.plan.intersect == nil {
			continue
		}
		if found[j.plan] == nil {
			found[j.plan] = map[string]map[string]bool{}
		}
		for _, o := range *j.held {
			k := identity(j.plan, j.call, o)
			if found[j.plan][k] == nil {
				found[j.plan][k] = map[string]bool{}
			}
			found[j.plan][k][j.call.send[j.plan.intersect.param]] = true
		}
	}
	for ji, j := range jobs {
		if j.held == nil {
			continue
		}
		objs := *j.held
		if x := j.plan.intersect; x != nil {
			var keep []json.RawMessage
			for _, o := range objs {
				if x.keeps(found[j.plan][identity(j.plan, j.call, o)]) {
					keep = append(keep, o)
				}
			}
			objs = keep
		}
		if j.plan.dedupe {
			objs = unseen(seenObjs, j.plan, j.call, ji, objs)
		}
		if _, err := j.mat.Insert(ctx, objs, j.call.cols); err != nil {
			return fmt.Errorf("%s: %w", j.plan.res.ID(), err)
		}
	}
	if s.opts.Progress != nil {
		for _, p := range pending {
			s.opts.Progress(ProgressEvent{Resource: p.res.ID(), Pages: pages[p], Done: true})
		}
	}
	return tx.Commit()
}

// callError is the statement's error for err, what a call of plan
// returned (nil when err is nil, or when it means no rows: a get of one
// object that does not exist). label names the call's connection.
func (s *Session) callError(plan *refPlan, call callParams, label string, err error) error {
	if err == nil {
		return nil
	}
	var ae *provider.APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound && len(call.send) > 0 {
		if getsOne(plan.method) {
			return nil // a get of something that does not exist: no rows
		}
		if e := parentMissing(plan, call.send, err); e != nil {
			e.Msg = label + e.Msg
			return e
		}
	}
	e := wrap(plan.ref.Pos, s.connHintFor(err, plan.res.Service.Provider, call.conn), err)
	if label != "" {
		var ae *provider.AuthError
		if !errors.As(err, &ae) {
			e.Msg = label + e.Msg
		}
	}
	return e
}

// identity is what identifies an object of plan's resource fetched through
// connection conn: its identity field's value (the registry's identity),
// or, when the resource has none or the object lacks it, the whole object.
//
// An object is identified within its connection and within the path
// parameters of the call that found it (a part of widget 7 is not a part
// of widget 9), except the parameter that stands for the identity itself
// (image_id, an image's id or slug), and within the value of a parameter
// a join binds by its column (a join pairs the object with each value).
func identity(plan *refPlan, call callParams, o json.RawMessage) string {
	f := plan.res.IdentityField()
	var b strings.Builder
	b.WriteString(call.conn)
	for _, p := range plan.method.Params {
		if p.In == registry.InPath && !(f != "" && p.Field == f) {
			b.WriteString("\x00" + p.Name + "=" + call.send[p.Name])
		}
	}
	for _, d := range plan.deps {
		// A join on a parameter column (ON i.tag_name = t.name) pairs each
		// object with the value that found it: one row per value, as the
		// join asks, whatever other calls of the reference find.
		if d.kind == depJoin && !d.byField && d.param.In != registry.InPath {
			b.WriteString("\x00" + d.param.Name + "=" + call.send[d.param.Name])
		}
	}
	if f != "" {
		var fields map[string]json.RawMessage
		if json.Unmarshal(o, &fields) == nil {
			if v, ok := fields[f]; ok && string(v) != "null" {
				return b.String() + "\x00\x01" + string(v)
			}
		}
	}
	return b.String() + "\x00\x02" + string(o)
}

// unseen drops the objects another call (job) of plan already inserted (by
// identity). Equal objects of one call stay: a resource with no identity
// can hold two equal objects, and a list that repeats one is the
// provider's to warn about.
func unseen(seen map[*refPlan]map[string]int, plan *refPlan, call callParams, job int, objs []json.RawMessage) []json.RawMessage {
	if seen[plan] == nil {
		seen[plan] = map[string]int{}
	}
	var out []json.RawMessage
	for _, o := range objs {
		k := identity(plan, call, o)
		if by, ok := seen[plan][k]; ok && by != job {
			continue
		}
		seen[plan][k] = job
		out = append(out, o)
	}
	return out
}

// connHintFor is hintFor for a call made through connection conn of p: a
// refused token of a named connection points at where that token comes
// from (its variable or command), not at the environment's.
func (s *Session) connHintFor(err error, p *registry.Provider, conn string) string {
	var ae *provider.APIError
	if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
		if c := s.opts.Connections.Lookup(p.Name, conn); c != nil && !c.Implicit {
			return fmt.Sprintf("check connection %s's token (%s, in the config file %s)", conn, c.Source(p.Auth.TokenEnv), s.opts.Connections.Path)
		}
	}
	return hintFor(err)
}

// hintFor suggests what to do about a failed call.
func hintFor(err error) string {
	var ae *provider.APIError
	if errors.As(err, &ae) {
		switch ae.Status {
		case http.StatusUnauthorized:
			return "check the API token in the environment, or run with --sandbox"
		case http.StatusTooManyRequests:
			if ae.WaitRefused > 0 {
				return fmt.Sprintf("the API's rate limit was hit and it asks for a %v wait; retry after it, or raise --max-retry-wait to wait it out", ae.WaitRefused.Round(time.Second))
			}
			return "the API's rate limit was hit; retry later or raise --retries"
		}
	}
	return ""
}

// rowLimit returns n when the statement is a plain `SELECT ... FROM one
// resource [WHERE pushed-only] LIMIT n [OFFSET m]`, whose first n+m rows
// are final as soon as they are in; 0 otherwise.
func rowLimit(st sqltext.Statement, a *sqltext.Analysis, plans []*refPlan) int {
	if len(plans) != 1 || len(a.Scopes) != 1 || a.Scopes[0].Tables != 1 || len(plans[0].calls) != 1 {
		return 0
	}
	toks := st.Tokens
	depth, limitAt := 0, -1
	whereAt := -1
	for i, t := range toks {
		switch {
		case t.IsOp("("):
			depth++
			// Any call of a function not known to be scalar (an
			// aggregate, a user's quoted name, anything new) might need
			// every row.
			if i > 0 && toks[i-1].IsName() && !(toks[i-1].Kind == sqltext.Ident && scalars[strings.ToLower(toks[i-1].Text)]) {
				return 0
			}
		case t.IsOp(")"):
			depth--
		case t.Kind != sqltext.Ident:
		case t.Is("DISTINCT") || t.Is("GROUP") || t.Is("ORDER") || t.Is("HAVING") || t.Is("OVER") ||
			t.Is("UNION") || t.Is("INTERSECT") || t.Is("EXCEPT") || t.Is("JOIN") || t.Is("WITH") || t.Is("WINDOW"):
			return 0
		case t.Is("WHERE") && depth == 0:
			whereAt = i
		case t.Is("LIMIT") && depth == 0:
			limitAt = i
		}
	}
	if limitAt < 0 {
		return 0
	}
	if whereAt >= 0 {
		// Every conjunct must have been applied by the API.
		p := plans[0]
		if len(a.Scopes[0].Preds) != len(p.neutral) || !onlyConjuncts(toks[whereAt+1:limitAt], a.Scopes[0].Preds) {
			return 0
		}
	}
	rest := toks[limitAt+1:]
	num := func(t sqltext.Token) (int, bool) {
		n, err := strconv.Atoi(t.Text)
		return n, err == nil && t.Kind == sqltext.Number && n >= 0
	}
	switch {
	case len(rest) == 1:
		n, ok := num(rest[0])
		if ok {
			return max(n, 1)
		}
	case len(rest) == 3 && (rest[1].Is("OFFSET") || rest[1].IsOp(",")):
		a, ok1 := num(rest[0])
		b, ok2 := num(rest[2])
		if ok1 && ok2 {
			return max(a+b, 1)
		}
	}
	return 0
}

// limitZero reports whether the statement ends in LIMIT 0 (with or
// without an OFFSET) at its top level: it answers no rows whatever the
// fetches would hold, so none is made.
func limitZero(st sqltext.Statement) bool {
	toks := st.Tokens
	top := sqltext.TopLevel(toks)
	for k, i := range top {
		if !toks[i].Is("LIMIT") || toks[i].Kind != sqltext.Ident {
			continue
		}
		var rest []sqltext.Token
		for _, j := range top[k+1:] {
			rest = append(rest, toks[j])
		}
		if len(rest) != len(toks)-1-i {
			return false // parentheses after LIMIT: an expression
		}
		zero := func(t sqltext.Token) bool {
			n, ok := literalValue(t).(int64)
			return t.Kind == sqltext.Number && ok && n == 0
		}
		switch {
		case len(rest) == 1:
			return zero(rest[0])
		case len(rest) == 3 && rest[1].Is("OFFSET"):
			return zero(rest[0]) && rest[2].Kind == sqltext.Number
		case len(rest) == 3 && rest[1].IsOp(","):
			// LIMIT offset, count
			return zero(rest[2]) && rest[0].Kind == sqltext.Number
		}
		return false
	}
	return false
}

// onlyConjuncts reports whether the WHERE tokens consist of exactly the
// given conjuncts joined by AND.
func onlyConjuncts(where []sqltext.Token, preds []sqltext.Pred) bool {
	n := 0
	for _, t := range where {
		if t.Is("AND") {
			n++
		}
	}
	return n == len(preds)-1
}

// scalars are SQLite's row-by-row functions (not min and max, which are
// aggregates with one argument): a LIMIT over them still
// needs only the first rows.
var scalars = map[string]bool{}

func init() {
	for _, f := range strings.Fields(`abs char coalesce concat concat_ws format glob hex ifnull iif instr
		length like likelihood likely lower ltrim nullif octet_length printf quote replace round
		rtrim sign soundex substr substring trim typeof unhex unicode unlikely upper zeroblob
		date time datetime julianday unixepoch strftime timediff cast
		json json_array json_array_length json_error_position json_extract json_insert json_object
		json_patch json_pretty json_quote json_remove json_replace json_set json_type json_valid
		jsonb jsonb_array jsonb_extract jsonb_insert jsonb_object jsonb_patch jsonb_remove jsonb_replace jsonb_set`) {
		scalars[f] = true
	}
}

// rewrite returns the statement's text with every resource reference
// replaced by its table (or the table's field-only view) and every
// conjunct the API has applied replaced by TRUE.
//
// The replacer it returns turns rewritten references back into the
// user's text, for column names SQLite takes from expressions.
func rewrite(st sqltext.Statement, a *sqltext.Analysis, plans []*refPlan, tables map[string]string) (string, *strings.Replacer) {
	return rewriteRange(st, a, plans, tables, sqltext.Span{Pos: 0, End: len(st.Text)})
}

// rewriteRange is rewrite of the part sp of the statement's text (a
// subquery, say).
func rewriteRange(st sqltext.Statement, a *sqltext.Analysis, plans []*refPlan, tables map[string]string, sp sqltext.Span) (string, *strings.Replacer) {
	type edit struct {
		pos, end int
		text     string
	}
	var (
		edits []edit
		back  []string
	)
	neutral := map[sqltext.Span]bool{}
	for _, p := range plans {
		for _, sp := range p.neutral {
			if !neutral[sp] {
				neutral[sp] = true
				// TRUE, marked so that a column named after the expression
				// can show the conjunct again.
				mark := fmt.Sprintf("1/*apiql:%d*/", len(neutral))
				edits = append(edits, edit{sp.Pos, sp.End, mark})
				back = append(back, mark, st.Text[sp.Pos:sp.End])
			}
		}
	}
	// A reference that needs its parameter columns reads the table, whose
	// * would include them; the others read the fields-only view.
	withParams := map[*refPlan]bool{}
	for _, p := range plans {
		withParams[p] = mentionsParamColumn(st, p.res, neutral)
	}
	fieldList := func(p *refPlan, qual string) string {
		var cols []string
		for _, f := range p.res.Fields {
			cols = append(cols, qual+quoteIdent(f.Name))
		}
		return strings.Join(cols, ", ")
	}
	for si, sc := range a.Scopes {
		var mine []*refPlan // this block's references, in FROM order
		for _, p := range plans {
			if p.ref.Scope == si {
				mine = append(mine, p)
			}
		}
		for _, sr := range sc.Stars {
			switch {
			case sr.Qualifier != "":
				for _, p := range mine {
					if withParams[p] && strings.EqualFold(sr.Qualifier, refName(p.ref)) {
						edits = append(edits, edit{sr.Pos, sr.End, fieldList(p, quoteIdent(refName(p.ref))+".")})
						break
					}
				}
			case len(mine) == 1 && sc.Tables == 1 && withParams[mine[0]]:
				edits = append(edits, edit{sr.Pos, sr.End, fieldList(mine[0], "")})
			case len(mine) > 1 && sc.Tables == len(mine):
				// Every entry is a resource: * is each one's columns in turn.
				any := false
				var parts []string
				for _, p := range mine {
					if withParams[p] {
						any = true
						parts = append(parts, fieldList(p, quoteIdent(refName(p.ref))+"."))
					} else {
						parts = append(parts, quoteIdent(refName(p.ref))+".*")
					}
				}
				if any {
					edits = append(edits, edit{sr.Pos, sr.End, strings.Join(parts, ", ")})
				}
			}
		}
	}
	for _, p := range plans {
		name := tables[p.key]
		if !withParams[p] {
			name += "_v"
		}
		text := quoteIdent(name)
		if p.ref.Alias == "" {
			text += " AS " + quoteIdent(refName(p.ref))
		}
		edits = append(edits, edit{p.ref.Pos, p.ref.End, text})
		back = append(back, text, st.Text[p.ref.Pos:p.ref.End])
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].pos > edits[j].pos })
	out := st.Text[:sp.End]
	for _, e := range edits {
		if e.pos >= sp.Pos && e.end <= sp.End {
			out = out[:e.pos] + e.text + out[e.end:]
		}
	}
	return out[sp.Pos:], strings.NewReplacer(back...)
}

// mentionsParamColumn reports whether the statement names one of the
// resource's parameter columns outside the conjuncts already applied.
func mentionsParamColumn(st sqltext.Statement, res *registry.Resource, neutral map[sqltext.Span]bool) bool {
	cols := paramColumns(res)
	cols = append(cols, &registry.Param{Name: connColumn(res)})
	for _, t := range st.Tokens {
		if !t.IsName() {
			continue
		}
		inside := false
		for sp := range neutral {
			if t.Pos >= sp.Pos && t.End <= sp.End {
				inside = true
				break
			}
		}
		if inside {
			continue
		}
		for _, c := range cols {
			if strings.EqualFold(t.Value, c.Name) {
				return true
			}
		}
	}
	return false
}

// result runs query and returns its rows, read as they are needed;
// errors point into st. cleanup runs when the rows are closed, or now if
// the query fails.
func (s *Session) result(st sqltext.Statement, query func() (*sql.Rows, error), cleanup func() error) (*Rows, error) {
	rows, err := query()
	if err != nil {
		return nil, s.sqliteError(st, err)
	}
	cols, err := columnsOf(rows)
	if err != nil {
		rows.Close()
		return nil, s.sqliteError(st, err)
	}
	next := func() ([]any, error) {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return nil, s.sqliteError(st, err)
			}
			return nil, nil
		}
		vals, err := scanRow(rows, cols)
		if err != nil {
			return nil, s.sqliteError(st, err)
		}
		return vals, nil
	}
	return &Rows{Columns: cols, next: next, close: func() error {
		err := rows.Close()
		cleanup()
		return err
	}}, nil
}

// columnsOf returns the columns of rows, typed by their declared types.
func columnsOf(rows *sql.Rows) ([]Column, error) {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	cols := make([]Column, len(cts))
	for i, ct := range cts {
		cols[i] = Column{Name: ct.Name(), Type: registryType(ct.DatabaseTypeName())}
	}
	return cols, nil
}

// scanRow reads the current row, typed by cols (see Column).
func scanRow(rows *sql.Rows, cols []Column) ([]any, error) {
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, v := range vals {
		switch x := v.(type) {
		case []byte:
			if cols[i].Type != "" {
				vals[i] = string(x)
			}
		case int64:
			if cols[i].Type == registry.TypeBoolean {
				vals[i] = x != 0
			}
		}
	}
	return vals, nil
}

var nearRE = regexp.MustCompile(`near "([^"]*)": syntax error`)
var noColumnRE = regexp.MustCompile(`no such (column|table|function): (\S+)`)

// writeInQuery finds an INSERT, UPDATE, DELETE or REPLACE at the top level
// of a query (WITH ... DELETE, say).
func writeInQuery(st sqltext.Statement) (sqltext.Token, bool) {
	toks := st.Tokens
	for _, i := range sqltext.TopLevel(toks) {
		switch t := toks[i]; {
		case i > 0 && toks[i-1].IsOp("."):
		case i+1 < len(toks) && toks[i+1].IsOp("("):
			// A function call, as replace(name, 'a', 'b').
		case t.Is("INSERT") || t.Is("UPDATE") || t.Is("DELETE"):
			return t, true
		case t.Is("REPLACE") && i+1 < len(toks) && toks[i+1].Is("INTO"):
			return t, true
		}
	}
	return sqltext.Token{}, false
}

// writeInWithError refuses WITH ... INSERT, UPDATE or DELETE.
func writeInWithError(t sqltext.Token) error {
	return errorf(t.Pos, "put the query in a subquery instead: DELETE FROM <resource> WHERE <param> IN (SELECT ...)",
		"WITH ... %s is not supported: apiql runs queries read-only and writes on their own", strings.ToUpper(t.Text))
}

var tableNameRE = regexp.MustCompile(`apiql_\d+(_v)?`)

// sqliteError turns an SQLite error into an *Error pointing into the
// user's statement where it can.
func (s *Session) sqliteError(st sqltext.Statement, err error) error {
	if le := s.limitError(err); le != err {
		return le
	}
	msg := tableNameRE.ReplaceAllStringFunc(err.Error(), func(t string) string {
		if id, ok := s.tableNames[strings.TrimSuffix(t, "_v")]; ok {
			return id
		}
		return t
	})
	if msg == "incomplete input" {
		return errorf(len(st.Text), "", "syntax error: the statement ends too early")
	}
	if strings.Contains(msg, "not authorized") {
		what, _ := s.guard.denied.Load().(string)
		if what == "" {
			what = "that"
		}
		return errorf(-1, "apiql runs your SQL read-only over the fetched rows: no writes, ATTACH, PRAGMA or extensions; change a resource with INSERT, UPDATE, DELETE or EXEC",
			"not allowed: %s", what)
	}
	if m := nearRE.FindStringSubmatch(msg); m != nil {
		// SQLite does not say where; the last such token is the likelier
		// culprit, the earlier ones having parsed.
		return errorf(findLastToken(st, m[1]), "", "syntax error near %q", m[1])
	}
	if m := noColumnRE.FindStringSubmatch(msg); m != nil {
		name := m[2]
		hint := ""
		pos := findToken(st, name)
		if m[1] == "table" && strings.Count(name, ".") == 1 && s.reg.Provider(name[:strings.IndexByte(name, '.')]) != nil {
			return errorf(findQualified(st, name[:strings.IndexByte(name, '.')], name[strings.IndexByte(name, '.')+1:]),
				"SHOW RESOURCES IN "+name+" lists its resources", "%s is a service, not a resource: resources are named provider.service.resource", name)
		}
		if m[1] == "table" {
			if id := s.resourceNamed(name); id != "" {
				return errorf(findQualifiedName(st, name), "resources are named provider.service.resource; SHOW RESOURCES IN <provider>.<service> lists them",
					"no such table: %s; did you mean %s?", name, id)
			}
		}
		if m[1] == "column" {
			hint = "DESCRIBE <resource> lists a resource's columns"
			if i := strings.LastIndexByte(name, '.'); i >= 0 {
				pos = findQualified(st, name[:i], name[i+1:])
			}
		}
		return errorf(pos, hint, "%s", msg)
	}
	if strings.HasPrefix(msg, "ambiguous column name: ") {
		name := strings.TrimPrefix(msg, "ambiguous column name: ")
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		return errorf(findToken(st, name), "give each table an alias and qualify the column: FROM a.b.c x JOIN a.b.c y ... x."+name, "%s", msg)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return errorf(-1, "", "%s", msg)
}

// resourceNamed returns the three-part name of the resource that a
// shorter name (images, images.images) or a near one stands for, when
// there is exactly one, or "".
func (s *Session) resourceNamed(name string) string {
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return ""
	}
	var exact, all []string
	for _, p := range s.reg.Providers {
		for _, sv := range p.Services {
			for _, r := range sv.Resources() {
				short := r.Name
				if len(parts) == 2 {
					short = sv.Name + "." + r.Name
				}
				all = append(all, short)
				if strings.EqualFold(short, name) {
					exact = append(exact, r.ID())
				}
			}
		}
	}
	if len(exact) == 1 {
		return exact[0]
	}
	if len(exact) > 1 {
		return ""
	}
	near := registry.Nearest(name, all)
	if near == "" {
		return ""
	}
	return s.resourceNamed(near)
}

// findQualifiedName returns the offset of a name of one or two dotted
// parts in the statement, or -1.
func findQualifiedName(st sqltext.Statement, name string) int {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		return findQualified(st, name[:i], name[i+1:])
	}
	return findToken(st, name)
}

// findLastToken returns the offset of the last token whose text is text, or -1.
func findLastToken(st sqltext.Statement, text string) int {
	for i := len(st.Tokens) - 1; i >= 0; i-- {
		if t := st.Tokens[i]; t.Text == text || t.Value == text {
			return t.Pos
		}
	}
	return -1
}

// findQualified returns the offset of qual.name in the statement, or of
// name alone, or -1.
func findQualified(st sqltext.Statement, qual, name string) int {
	toks := st.Tokens
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].Value == qual && toks[i+1].IsOp(".") && toks[i+2].Value == name {
			return toks[i].Pos
		}
	}
	return findToken(st, name)
}

// findToken returns the offset of the first token whose text is text, or -1.
func findToken(st sqltext.Statement, text string) int {
	for _, t := range st.Tokens {
		if t.Text == text || t.Value == text {
			return t.Pos
		}
	}
	return -1
}

// queryAll runs a query and reads all its rows: for the values a write
// computes before its calls.
func (s *Session) queryAll(ctx context.Context, st sqltext.Statement) (*Result, error) {
	rows, err := s.query(ctx, st)
	if err != nil {
		return nil, err
	}
	res, err := rows.Collect()
	if err != nil {
		return nil, err
	}
	return res, nil
}

// getsOne reports whether m answers one object of its resource: a path
// parameter names the object by one of the resource's own fields (an
// image's image_id is its id). A 404 of such a get means the object does
// not exist: no rows. Every other call answers a list under its path
// parameters, and its 404 means a parent does not exist.
func getsOne(m *registry.Method) bool {
	for _, p := range m.Params {
		if p.In == registry.InPath && p.Field != "" && m.Resource.Field(p.Field) != nil {
			return true
		}
	}
	return false
}

// parentMissing is the error of a list call the API answered 404: the
// path parameters it was sent name something that does not exist. Nil when
// the call had no path parameter.
func parentMissing(p *refPlan, send map[string]string, err error) *Error {
	var names, hints []string
	for _, prm := range p.method.Params {
		v, ok := send[prm.Name]
		if prm.In != registry.InPath || !ok {
			continue
		}
		names = append(names, prm.Name+" "+sqlQuote(v))
		if prm.Parent != nil {
			hints = append(hints, fmt.Sprintf("SELECT %s FROM %s lists the %s values", prm.Parent.Field, prm.Parent.ID(), prm.Name))
		}
	}
	if len(names) == 0 {
		return nil
	}
	hint := "check the value"
	if len(hints) > 0 {
		hint += ": " + strings.Join(hints, "; ")
	}
	return &Error{Msg: fmt.Sprintf("%s: no %s exists (the API answered 404 to %s)", p.res.ID(), strings.Join(names, ", "), err),
		Hint: hint, Err: err, pos: p.ref.Pos}
}

// unboundParam refuses a parameter marker ($1, ?, :name) in a query: the
// session binds no values (apiql serve replaces a client's parameters by
// their values before the engine sees the statement), and SQLite would
// answer "sql: expected 1 arguments, got 0" after the fetches.
func unboundParam(st sqltext.Statement) error {
	for _, t := range st.Tokens {
		if t.Kind == sqltext.Param {
			return errorf(t.Pos, "parameters are for the clients of apiql serve, which bind their values; here write the value itself, or a query-file variable ({{ .name }}, given with --var name=value)",
				"parameter %s has no value", t.Text)
		}
	}
	return nil
}
