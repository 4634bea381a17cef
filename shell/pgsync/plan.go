package pgsync

import (
	"fmt"
	"strings"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/registry"
)

// maxChain bounds how many resources a chain of parents may have above the
// one synced.
const maxChain = 8

// fetchPlan is how a resource's rows are read: its list that needs no
// parameter, or, for a child, a select method whose required parameters
// all take their values from its parent's rows (the registry's parent:),
// the parent read by its own plan, and so on up to a listable resource.
type fetchPlan struct {
	res *registry.Resource
	// method is the select method the engine calls.
	method *registry.Method
	// parent is the plan of the resource whose rows give the parameters'
	// values, or nil for a list that needs no parameter.
	parent *fetchPlan
	// binds are the required parameters of a child's method, each with the
	// parent's column its values come from.
	binds []paramBind
	// params are the parameter columns stored beside the fields: each
	// parameter that is no field of the resource (app_id).
	params []column
}

// paramBind is one required parameter of a child's method.
type paramBind struct {
	param *registry.Param
	// col is the column of the child's rows that holds the value sent:
	// the parameter's own column, or the field it stands for.
	col string
	// from is the parent's column the values come from.
	from string
}

// provides returns the column of pl's rows that holds the values of
// parent field pr: the field itself when pr names pl's resource, or the
// column of a parameter pl's calls took from that same field.
func (pl *fetchPlan) provides(pr *registry.Parent) (string, bool) {
	if pr.ID() == pl.res.ID() {
		if f := pl.res.Field(pr.Field); f != nil && f.Type != registry.TypeArray && f.Type != registry.TypeObject {
			return f.Name, true
		}
		return "", false
	}
	for _, b := range pl.binds {
		if q := b.param.Parent; q.ID() == pr.ID() && q.Field == pr.Field {
			return b.col, true
		}
	}
	return "", false
}

// planFor returns how r is synced: its list, or, for a resource whose
// reads need ids of other resources (an app's alerts need app_id; a
// repository's tags need registry_name and repository_name), a select
// method whose required parameters all come, through the registry's
// parent:, from one parent resource's rows: fields of the parent, or ids
// the parent's own calls took from its parents (a repository's rows hold
// the registry_name it was listed with). The parent is planned the same
// way, up to a resource with a list that needs no parameter. Of several
// ways the shortest chain wins, then the first method in registry order.
func planFor(r *registry.Resource) (*fetchPlan, error) {
	pl, why := planOf(r, map[*registry.Resource]bool{}, 0)
	if pl == nil {
		return nil, notSyncable(r, why)
	}
	return pl, nil
}

// planOf plans r with the resources in seen (those below it in the chain)
// excluded; when r cannot be planned, why says, for each select method,
// what it lacks.
func planOf(r *registry.Resource, seen map[*registry.Resource]bool, depth int) (*fetchPlan, []string) {
	if m, ok := Listable(r); ok {
		return &fetchPlan{res: r, method: m}, nil
	}
	if depth >= maxChain {
		return nil, []string{fmt.Sprintf("its chain of parents is longer than %d", maxChain)}
	}
	seen[r] = true
	defer delete(seen, r)
	var (
		best *fetchPlan
		why  []string
	)
	for _, m := range r.Methods {
		if m.Verb != registry.VerbSelect {
			continue
		}
		pl, reason := childPlan(r, m, seen, depth)
		if pl == nil {
			why = append(why, m.Name+" needs "+strings.Join(m.RequiredParams(), ", ")+reason)
			continue
		}
		if best == nil || pl.maxDepth() < best.maxDepth() {
			best = pl
		}
	}
	return best, why
}

// maxDepth is the depth of the plan's root: the length of its chain.
func (pl *fetchPlan) maxDepth() int {
	n := 0
	for p := pl; p.parent != nil; p = p.parent {
		n++
	}
	return n
}

// childPlan plans r's select method m as a child of one of the resources
// its required parameters come from, or says why it cannot be (": ..."
// to follow "m needs a, b").
func childPlan(r *registry.Resource, m *registry.Method, seen map[*registry.Resource]bool, depth int) (*fetchPlan, string) {
	var req []*registry.Param
	for _, p := range m.Params {
		if p.Required {
			req = append(req, p)
		}
	}
	var parents []*registry.Resource
	for _, p := range req {
		if p.Parent == nil {
			return nil, fmt.Sprintf(": %s comes from no parent resource (the registry declares no parent: for it)", p.Name)
		}
		if bindColumn(r, p) == "" {
			return nil, fmt.Sprintf(": %s is also a field's name, so a join cannot give it", p.Name)
		}
		pr := r.Service.Provider.Service(p.Parent.Service)
		var q *registry.Resource
		if pr != nil {
			q = pr.Resource(p.Parent.Resource)
		}
		if q == nil || q.Field(p.Parent.Field) == nil {
			return nil, fmt.Sprintf(": %s's parent %s.%s is not in the registry", p.Name, p.Parent.ID(), p.Parent.Field)
		}
		if q == r || seen[q] {
			continue // a resource is not its own ancestor
		}
		dup := false
		for _, x := range parents {
			dup = dup || x == q
		}
		if !dup {
			parents = append(parents, q)
		}
	}
	if len(parents) == 0 {
		return nil, ": its parameters come from no other resource"
	}
	// The parent nearest the child comes last in the path: tried first.
	var reasons []string
	for i := len(parents) - 1; i >= 0; i-- {
		q := parents[i]
		qp, qwhy := planOf(q, seen, depth+1)
		if qp == nil {
			reasons = append(reasons, fmt.Sprintf("%s cannot be synced (%s)", q.ID(), strings.Join(qwhy, "; ")))
			continue
		}
		pl := &fetchPlan{res: r, method: m, parent: qp}
		var lack []string
		for _, p := range req {
			from, ok := qp.provides(p.Parent)
			if !ok {
				lack = append(lack, fmt.Sprintf("%s (from %s.%s)", p.Name, p.Parent.ID(), p.Parent.Field))
				continue
			}
			col := bindColumn(r, p)
			pl.binds = append(pl.binds, paramBind{param: p, col: col, from: from})
			if r.Field(col) == nil {
				pl.params = append(pl.params, column{name: p.Name, typ: TypeFor(&registry.Field{Name: p.Name, Type: p.Type})})
			}
		}
		if len(lack) == 0 {
			return pl, ""
		}
		reasons = append(reasons, fmt.Sprintf("the rows of %s do not hold %s", q.ID(), strings.Join(lack, ", ")))
	}
	return nil, ": " + strings.Join(reasons, "; ")
}

// bindColumn is the column of r's rows that a join binds parameter p by:
// its own column (a parameter that is no field), or the field it stands
// for (field:); "" when neither (a parameter named like a field it does
// not filter on, which the engine binds from literals only).
func bindColumn(r *registry.Resource, p *registry.Param) string {
	if r.Field(p.Name) == nil {
		return p.Name
	}
	if p.Field != "" && r.Field(p.Field) != nil {
		return p.Field
	}
	return ""
}

// notSyncable says why a resource cannot be synced whole.
func notSyncable(r *registry.Resource, why []string) error {
	if len(r.MethodsFor(registry.VerbSelect)) == 0 {
		return &engine.Error{Msg: fmt.Sprintf("%s cannot be synced: it has no select method (the API only writes it)", r.ID()),
			Hint: "SHOW METHODS IN " + r.ID() + " lists what it has"}
	}
	msg := fmt.Sprintf("%s cannot be synced whole: it has no list method that needs no parameter, nor a select method whose parameters all come from the rows of a parent that can be synced", r.ID())
	if len(why) > 0 {
		msg += " (" + strings.Join(uniq(why), "; ") + ")"
	}
	return &engine.Error{Msg: msg, Hint: "sync its parent resource, or query it with apiql exec and a WHERE clause that names the parameter"}
}

// statement is the SQL the engine runs to read the plan's rows, read
// through the connections conns (the session's scope): for a list,
// SELECT *; for a child, a join down the chain of parents, each child's
// parameters joined to its parent's columns and its connection to its
// parent's (the engine then calls each child once per distinct tuple of
// its parent's rows, through the connection the parent row came from),
// and the parameter columns after the fields.
func (pl *fetchPlan) statement(conns []string) string {
	if pl.parent == nil {
		return "SELECT *, " + connColumnOf(pl.res) + " FROM " + pl.res.ID()
	}
	var chain []*fetchPlan
	for p := pl; p != nil; p = p.parent {
		chain = append([]*fetchPlan{p}, chain...)
	}
	alias := func(i int) string { return fmt.Sprintf("t%d", i) }
	lits := make([]string, len(conns))
	for i, c := range conns {
		lits[i] = "'" + strings.ReplaceAll(c, "'", "''") + "'"
	}
	var from, where strings.Builder
	for i, p := range chain {
		a := alias(i)
		conn := a + "." + connColumnOf(p.res)
		if i == 0 {
			from.WriteString(" FROM " + p.res.ID() + " " + a)
			where.WriteString(" WHERE " + conn + " IN (" + strings.Join(lits, ", ") + ")")
			continue
		}
		pa := alias(i - 1)
		var on []string
		for _, b := range p.binds {
			on = append(on, a+"."+b.col+" = "+pa+"."+b.from)
		}
		on = append(on, conn+" = "+pa+"."+connColumnOf(chain[i-1].res))
		from.WriteString(" JOIN " + p.res.ID() + " " + a + " ON " + strings.Join(on, " AND "))
		where.WriteString(" AND " + conn + " IN (" + strings.Join(lits, ", ") + ")")
	}
	c := alias(len(chain) - 1)
	cols := c + ".*"
	for _, p := range pl.params {
		cols += ", " + c + "." + p.name
	}
	return "SELECT " + cols + ", " + c + "." + connColumnOf(pl.res) + from.String() + where.String()
}

// Statement is the SQL a sync of r runs through the engine when it reads
// the connections conns (for EXPLAIN, and tests).
func Statement(r *registry.Resource, conns []string) (string, error) {
	pl, err := planFor(r)
	if err != nil {
		return "", err
	}
	return pl.statement(conns), nil
}
