package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/apiql/apiql/provider/emulator/internal/specgen"
	"github.com/apiql/apiql/registry"
)

// The resources without hand-made handlers are served from the registry
// and the spec: the registry's methods are the routes, the spec's examples
// the seed data, its statuses the answers. See the package documentation.

// providerName is the registry provider the emulator stands in for.
const providerName = "digitalocean"

// route is one registry method as the emulator matches it.
type route struct {
	method string            // HTTP method
	segs   []string          // path segments after /v2; "" for a parameter
	params []*registry.Param // the path parameter at each segment, or nil
	m      *registry.Method
	key    string // the spec operation key
}

// routeTable is what the generic handlers serve: the registry's methods of
// the provider, most specific first.
type routeTable struct {
	routes []*route
	// lists holds the templates ("volumes", "domains/{}/records") of the
	// GET routes that answer a collection.
	lists map[string]*route
}

// idCandidates are the fields an item's path segment may name, in order.
var idCandidates = []string{"id", "uuid", "name", "slug", "ip", "fingerprint", "urn", "key"}

func segments(path string) []string {
	rest := strings.TrimPrefix(path, "/v2/")
	segs := strings.Split(rest, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = ""
		}
	}
	return segs
}

func template(segs []string) string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = s
		if s == "" {
			out[i] = "{}"
		}
	}
	return strings.Join(out, "/")
}

// buildRoutes makes the route table of reg's provider: of the services
// keep accepts, or of all when keep is nil.
func buildRoutes(reg *registry.Registry, keep func(*registry.Service) bool) *routeTable {
	t := &routeTable{lists: map[string]*route{}}
	p := reg.Provider(providerName)
	if p == nil {
		return t
	}
	seen := map[string]bool{}
	for _, svc := range p.Services {
		if keep != nil && !keep(svc) {
			continue
		}
		for _, res := range svc.Resources() {
			for _, m := range res.Methods {
				if !strings.HasPrefix(m.Path, "/v2/") {
					continue
				}
				r := &route{method: m.HTTPMethod, segs: segments(m.Path), m: m, key: specgen.Key(m.HTTPMethod, m.Path)}
				r.params = make([]*registry.Param, len(r.segs))
				for i, seg := range strings.Split(strings.TrimPrefix(m.Path, "/v2/"), "/") {
					if name, ok := strings.CutPrefix(seg, "{"); ok {
						r.params[i] = m.Param(strings.TrimSuffix(name, "}"))
					}
				}
				id := r.method + " " + template(r.segs)
				if seen[id] {
					continue
				}
				seen[id] = true
				t.routes = append(t.routes, r)
			}
		}
	}
	// By length (only routes of a request's length can match it), then
	// literal segments before parameters, from the left.
	sort.SliceStable(t.routes, func(i, j int) bool {
		a, b := t.routes[i].segs, t.routes[j].segs
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		for k := range a {
			if (a[k] == "") != (b[k] == "") {
				return a[k] != ""
			}
		}
		return false
	})
	for _, r := range t.routes {
		if r.method == http.MethodGet && r.m.Verb == registry.VerbSelect && isList(r) {
			t.lists[template(r.segs)] = r
		}
	}
	// The item of a collection is not a collection, whatever its method says.
	for tpl, r := range t.lists {
		if n := len(r.segs); n > 1 && r.segs[n-1] == "" && t.lists[template(r.segs[:n-1])] != nil {
			delete(t.lists, tpl)
		}
	}
	return t
}

// isList reports whether a GET route answers an array of objects under its
// response key, as the spec's example shows (or, without one, the registry
// says it pages).
func isList(r *route) bool {
	line, ok := specIndex()[r.key]
	if !ok {
		return r.m.Paginated
	}
	return r.m.ResponseKey != "" && topLevelArray(line, r.m.ResponseKey)
}

// topLevelArray reports whether the body of a specData line holds an array
// under key at its top level. It scans bytes without decoding: it runs for
// every GET route when the route table is built.
func topLevelArray(line []byte, key string) bool {
	i := bytes.Index(line, []byte(`,"body":{`))
	if i < 0 {
		return false
	}
	b := line[i+len(`,"body":`):]
	want := `"` + key + `"`
	depth := 0
	for j := 0; j < len(b); j++ {
		switch b[j] {
		case '"':
			start := j
			for j++; j < len(b) && b[j] != '"'; j++ {
				if b[j] == '\\' {
					j++
				}
			}
			if depth == 1 && string(b[start:j+1]) == want {
				k := j + 1
				for k < len(b) && (b[k] == ':' || b[k] == ' ') {
					k++
				}
				if k < len(b) && b[k] == '[' {
					return true
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return false
}

// match returns the route for a request, or nil.
func (t *routeTable) match(method string, segs []string) *route {
	for _, r := range t.routes {
		if r.method != method || len(r.segs) != len(segs) {
			continue
		}
		ok := true
		for i, s := range r.segs {
			if s != "" && s != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return r
		}
	}
	return nil
}

// collection is the items of one concrete list path.
type collection struct {
	items []map[string]any
}

// genericState is the data of the generic resources.
type genericState struct {
	once   sync.Once              // reads the registry
	tmu    sync.Mutex             // guards tables and all
	tables map[string]*routeTable // by service name
	all    *routeTable            // every service's routes
	mu     sync.Mutex             // guards colls and nextID
	colls  map[string]*collection // by concrete list path, e.g. domains/example.com/records
	nextID int64
}

// reg returns the registry served, read on first use.
func (s *Server) reg() *registry.Registry {
	s.generic.once.Do(func() {
		if s.registry == nil {
			s.registry, _ = registry.Default()
		}
	})
	return s.registry
}

// routes returns the route table for a request whose path starts with
// /v2/<first>: the table of the service named after that segment (as the
// registry names services: /v2/load_balancers is load_balancers, /v2/gen-ai
// gen_ai), which holds the route and its parents, else the table of every
// service. Tables are built on first use, so a request reads only the
// service files it needs.
func (s *Server) routes(first string) *routeTable {
	reg := s.reg()
	s.generic.tmu.Lock()
	defer s.generic.tmu.Unlock()
	if s.generic.tables == nil {
		s.generic.tables = map[string]*routeTable{}
	}
	if reg == nil {
		return &routeTable{lists: map[string]*route{}}
	}
	name := strings.ReplaceAll(strings.ToLower(first), "-", "_")
	t, ok := s.generic.tables[name]
	if !ok {
		t = buildRoutes(reg, func(svc *registry.Service) bool { return svc.Name == name })
		s.generic.tables[name] = t
	}
	return t
}

// allRoutes returns the table of every service, built on first use.
func (s *Server) allRoutes() *routeTable {
	reg := s.reg()
	s.generic.tmu.Lock()
	defer s.generic.tmu.Unlock()
	if s.generic.all == nil {
		if reg == nil {
			return &routeTable{lists: map[string]*route{}}
		}
		s.generic.all = buildRoutes(reg, nil)
	}
	return s.generic.all
}

// serveGeneric answers a request no hand-made handler took.
func (s *Server) serveGeneric(ex *exchange, segs []string) reply {
	t := s.routes(segs[0])
	r := t.match(ex.r.Method, segs)
	if r == nil {
		t = s.allRoutes()
		if r = t.match(ex.r.Method, segs); r == nil {
			return errNotFound()
		}
	}
	op, ok := lookupSpec(r.key)
	if !ok {
		op = specOp{Status: http.StatusOK}
	}
	// A required acknowledgement header (the spec's X-Dangerous: true) must
	// come with the request.
	for _, h := range r.m.Headers {
		if ex.r.Header.Get(h.Name) != h.Value {
			return errBadQuery("the %s header must be set to %s to acknowledge this request", h.Name, h.Value)
		}
	}
	// Every item a parameter names on the way must exist.
	for k := 1; k < len(segs); k++ {
		if r.segs[k] != "" {
			continue
		}
		lr := t.lists[template(r.segs[:k])]
		if lr == nil || !s.addressable(lr, segs[:k]) {
			continue
		}
		if !s.itemExists(lr, segs[:k], segs[k], r.params[k]) {
			return errNotFound()
		}
	}
	tpl := template(r.segs)
	if r.m.Raw != "" && ex.r.Method == http.MethodGet {
		if rep, ok := rawBody(tpl, segs); ok {
			return rep
		}
	}
	if tpl == "volumes/{}/snapshots" {
		switch ex.r.Method {
		case http.MethodGet:
			return s.listVolumeSnapshots(ex.r, segs[1])
		case http.MethodPost:
			return s.createVolumeSnapshot(segs[1], ex.body)
		}
	}
	parent := template(r.segs[:len(r.segs)-1])
	_, parentIsList := t.lists[parent]
	lastIsParam := r.segs[len(r.segs)-1] == ""
	switch m := ex.r.Method; {
	case m == http.MethodGet && t.lists[tpl] == r:
		return s.genericList(ex.r, r, strings.Join(segs, "/"))
	case m == http.MethodGet && lastIsParam && parentIsList && s.addressable(t.lists[parent], segs[:len(segs)-1]):
		return s.genericGet(r, op, t.lists[parent], segs)
	case m == http.MethodPost && t.lists[tpl] != nil:
		return s.genericCreate(ex, r, op, t.lists[tpl], strings.Join(segs, "/"))
	case (m == http.MethodPut || m == http.MethodPatch) && lastIsParam && parentIsList:
		return s.genericUpdate(ex, r, op, t.lists[parent], segs)
	case m == http.MethodDelete && lastIsParam && parentIsList:
		return s.genericDelete(r, op, t.lists[parent], segs)
	case m == http.MethodGet:
		return cannedGet(r, op, segs)
	}
	return cannedReply(op)
}

// cannedGet answers a GET of something that is in no collection: the
// spec's example, showing the values of the path parameters that name one
// of its fields (a Droplet's backup policy shows the droplet_id asked for).
// Links to other pages are dropped: the example's point at the real API.
func cannedGet(r *route, op specOp, segs []string) reply {
	body, err := decodeJSON(op.Body)
	bm, ok := body.(map[string]any)
	if err != nil || !ok {
		return cannedReply(op)
	}
	if links, ok := bm["links"].(map[string]any); ok {
		if _, ok := links["pages"]; ok {
			links["pages"] = map[string]any{}
		}
	}
	item := bm
	if key := responseKey(r.m, op); key != "" {
		if obj, ok := bm[key].(map[string]any); ok {
			item = obj
		}
	}
	for i, p := range r.params {
		if p != nil && p.Field != "" {
			setScalar(item, p.Field, segs[i])
		}
	}
	return jsonReply(op.Status, bm)
}

// cannedReply answers the spec's example with its success status.
func cannedReply(op specOp) reply {
	if op.Status == http.StatusNoContent || len(op.Body) == 0 || string(op.Body) == "null" {
		return reply{status: op.Status}
	}
	return reply{status: op.Status, body: op.Body}
}

// itemExists reports whether the list lr at the concrete path segs holds
// an item named id by the parameter p.
func (s *Server) itemExists(lr *route, segs []string, id string, p *registry.Param) bool {
	switch strings.Join(segs, "/") {
	case "images":
		s.mu.RLock()
		defer s.mu.RUnlock()
		n, isInt := parseID(id)
		return (isInt && s.image(n) != nil) || s.bySlug[id] != nil
	case "droplets":
		n, _ := parseID(id)
		s.mu.RLock()
		defer s.mu.RUnlock()
		return s.dropByID[n] != nil
	case "snapshots":
		s.mu.RLock()
		defer s.mu.RUnlock()
		_, _, ok := s.findSnapshot(id)
		return ok
	case "regions":
		_, ok := lookupRegion(id)
		return ok
	case "sizes":
		_, ok := lookupSize(id)
		return ok
	}
	s.generic.mu.Lock()
	defer s.generic.mu.Unlock()
	return findItem(s.collection(lr, strings.Join(segs, "/")), id, p) >= 0
}

// collection returns the collection at a concrete list path, made from the
// spec's example on first use. Call with mu held for writing.
func (s *Server) collection(lr *route, path string) *collection {
	if c, ok := s.generic.colls[path]; ok {
		return c
	}
	c := &collection{items: []map[string]any{}}
	if op, ok := lookupSpec(lr.key); ok {
		if body, err := decodeJSON(op.Body); err == nil {
			bm, _ := body.(map[string]any)
			arr, _ := bm[lr.m.ResponseKey].([]any)
			for _, it := range arr {
				if m, ok := it.(map[string]any); ok {
					c.items = append(c.items, m)
				}
			}
		}
	}
	// The items of a nested collection hold the values of the path
	// parameters that name their fields (access points their share_id).
	segs := strings.Split(path, "/")
	for i, p := range lr.params {
		if p == nil || p.Field == "" || i >= len(segs) {
			continue
		}
		for _, it := range c.items {
			setScalar(it, p.Field, segs[i])
		}
	}
	if s.generic.colls == nil {
		s.generic.colls = map[string]*collection{}
	}
	s.generic.colls[path] = c
	return c
}

// setScalar sets item[field] to the path value v, as a number when the
// field holds a number and v is one.
func setScalar(item map[string]any, field, v string) {
	if _, isNum := item[field].(json.Number); isNum && isDigits(v) {
		item[field] = json.Number(v)
	} else {
		item[field] = v
	}
}

// addressable reports whether the items of the collection at the concrete
// path segs have an identifier a path can name. A collection whose items
// have none (the spec's example shows no id) is not checked: its gets
// answer the spec's example.
func (s *Server) addressable(lr *route, segs []string) bool {
	switch strings.Join(segs, "/") {
	case "images", "droplets", "snapshots", "regions", "sizes":
		return true
	}
	s.generic.mu.Lock()
	defer s.generic.mu.Unlock()
	c := s.collection(lr, strings.Join(segs, "/"))
	for _, it := range c.items {
		for k, v := range it {
			if _, ok := v.(string); ok && (contains(idCandidates, k) || strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_uuid") || strings.HasSuffix(k, "_slug")) {
				return true
			}
			if _, ok := v.(json.Number); ok && (k == "id" || strings.HasSuffix(k, "_id")) {
				return true
			}
		}
	}
	return len(c.items) == 0
}

// lastParam is the route's last path parameter, or nil.
func (r *route) lastParam() *registry.Param {
	return r.params[len(r.params)-1]
}

// findItem returns the index of the item a path segment names, or -1: the
// first candidate field whose value is id: the parent field the registry
// names (for a parent's path parameter), the parameter's field, a field
// of the parameter's own name (app_slug), then idCandidates, then an _id or
// _uuid field the parameter's name ends with (logsink_id: sink_id).
func findItem(c *collection, id string, p *registry.Param) int {
	cands := idCandidates
	if p != nil {
		cands = append([]string{p.Field, p.Name}, idCandidates...)
		if p.Parent != nil {
			// The parent's field the registry says the values come from
			// (a functions namespace_id is the namespace's namespace).
			cands = append([]string{p.Parent.Field}, cands...)
		}
	}
	for _, f := range cands {
		if f == "" {
			continue
		}
		for i, it := range c.items {
			if v, ok := it[f]; ok && v != nil && scalarText(v) == id {
				return i
			}
		}
	}
	// A field the parameter's name ends with: logsink_id names sink_id.
	if p != nil {
		for i, it := range c.items {
			for k, v := range it {
				if strings.HasSuffix(p.Name, k) && (strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_uuid")) && scalarText(v) == id {
					return i
				}
			}
		}
	}
	return -1
}

// scalarText is a scalar's text, as it would appear in a path or a query.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case map[string]any, []any:
		return "\x00"
	}
	return fmt.Sprint(v)
}

// genericList answers a collection's GET, filtered by the query parameters
// the method declares that name a field of the items, and paged when the
// method pages.
func (s *Server) genericList(r *http.Request, lr *route, path string) reply {
	q := r.URL.Query()
	s.generic.mu.Lock()
	c := s.collection(lr, path)
	items := make([]map[string]any, 0, len(c.items))
	var filterNames []string
	for _, p := range lr.m.Params {
		if p.In == registry.InQuery && q.Get(p.Name) != "" {
			filterNames = append(filterNames, p.Name)
		}
	}
	for _, it := range c.items {
		keep := true
		for _, name := range filterNames {
			field := name
			if p := lr.m.Param(name); p.Field != "" {
				field = p.Field
			}
			if v, ok := it[field]; ok && !matchesFilter(v, q.Get(name)) {
				keep = false
			}
		}
		if keep {
			items = append(items, it)
		}
	}
	s.generic.mu.Unlock()

	key := lr.m.ResponseKey
	pg := newPager(q)
	if ex := besideExample(lr); ex != nil {
		if !lr.m.Paginated {
			return besideReply(ex, key, items, len(items), nil, nil)
		}
		lo, hi := pg.window(len(items))
		links := pg.links(r, filterValues(q, filterNames...), len(items))
		return besideReply(ex, key, items[lo:hi], len(items), &pg, &links)
	}
	if !lr.m.Paginated {
		return jsonReply(http.StatusOK, map[string]any{key: items, "links": map[string]any{}, "meta": map[string]any{"total": len(items)}})
	}
	lo, hi := pg.window(len(items))
	return listReply(key, items[lo:hi], pg.links(r, filterValues(q, filterNames...), len(items)), len(items))
}

// besideExample returns the spec's example answer of a list whose array
// has keys beside it other than links and meta ({"vector_dbs": [...],
// "total": 3}, {"invoices": [...], "invoice_preview": {...}, ...}), or nil
// for a list answered {key: [...], links, meta}.
func besideExample(lr *route) map[string]any {
	op, ok := lookupSpec(lr.key)
	if !ok {
		return nil
	}
	v, err := decodeJSON(op.Body)
	ex, _ := v.(map[string]any)
	if err != nil || ex == nil {
		return nil
	}
	for k := range ex {
		if k != lr.m.ResponseKey && k != "links" && k != "meta" {
			return ex
		}
	}
	return nil
}

// besideReply answers a list as the spec's example ex does: its keys, the
// array under key the page of items, and the keys that count the items or
// pages made true for the list as filtered and paged (total, count,
// total_items, total_pages, current_page, meta.total, links.pages); the
// other keys as the example has them. pg and links are nil for a list
// that does not page.
func besideReply(ex map[string]any, key string, page []map[string]any, total int, pg *pager, links *pageLinks) reply {
	out := map[string]any{}
	for k, v := range ex {
		out[k] = v
	}
	out[key] = page
	pages, current := 1, 1
	if pg != nil {
		pages, current = max((total+pg.perPage-1)/pg.perPage, 1), pg.page
	}
	for k := range out {
		switch k {
		case "total", "count", "total_items":
			out[k] = total
		case "total_pages":
			out[k] = pages
		case "current_page":
			out[k] = current
		case "meta":
			out[k] = map[string]any{"total": total}
		case "links":
			out[k] = map[string]any{}
			if links != nil {
				out[k] = map[string]any{"pages": *links}
			}
		}
	}
	return jsonReply(http.StatusOK, out)
}

// matchesFilter reports whether a field's value passes a query filter: equal
// text; for an array, holding the value; for an object (a region), its slug,
// id or name equal to it.
func matchesFilter(v any, want string) bool {
	if obj, ok := v.(map[string]any); ok {
		for _, k := range []string{"slug", "id", "name"} {
			if x, ok := obj[k]; ok {
				return scalarText(x) == want
			}
		}
		return false
	}
	if arr, ok := v.([]any); ok {
		for _, x := range arr {
			if scalarText(x) == want {
				return true
			}
		}
		return false
	}
	return scalarText(v) == want
}

// responseKey is the key a method's single-object answer sits under: the
// registry's, or the spec example's only key.
func responseKey(m *registry.Method, op specOp) string {
	if m.ResponseKey != "" {
		return m.ResponseKey
	}
	if body, err := decodeJSON(op.Body); err == nil {
		if bm, ok := body.(map[string]any); ok && len(bm) == 1 {
			for k, v := range bm {
				if _, isObj := v.(map[string]any); isObj {
					return k
				}
			}
		}
	}
	return ""
}

func wrap(key string, item map[string]any) any {
	if key == "" {
		return item
	}
	return map[string]any{key: item}
}

// genericGet answers GET of one item of a collection.
func (s *Server) genericGet(r *route, op specOp, lr *route, segs []string) reply {
	s.generic.mu.Lock()
	c := s.collection(lr, strings.Join(segs[:len(segs)-1], "/"))
	i := findItem(c, segs[len(segs)-1], r.lastParam())
	var item map[string]any
	if i >= 0 {
		item = c.items[i]
	}
	out, err := marshal(wrap(responseKey(r.m, op), item))
	s.generic.mu.Unlock()
	if i < 0 {
		return errNotFound()
	}
	if err != nil {
		return errServer()
	}
	return reply{status: http.StatusOK, body: out}
}

// requestObject decodes a request body that must be a JSON object.
func requestObject(body []byte) (map[string]any, bool) {
	v, err := decodeJSON(body)
	m, ok := v.(map[string]any)
	return m, err == nil && ok
}

// missingRequired names the method's required body fields the request lacks.
func missingRequired(m *registry.Method, req map[string]any) reply {
	var missing []string
	for _, b := range m.Body {
		if v, ok := req[b.Name]; b.Required && (!ok || v == nil || v == "") {
			missing = append(missing, b.Name)
		}
	}
	if len(missing) == 0 {
		return reply{}
	}
	verb := "is"
	if len(missing) > 1 {
		verb = "are"
	}
	return errUnprocessable("%s %s required", strings.Join(missing, ", "), verb)
}

// genericCreate answers POST to a collection: a new item made from the
// spec's example object and the request's fields.
func (s *Server) genericCreate(ex *exchange, r *route, op specOp, lr *route, path string) reply {
	req, ok := requestObject(ex.body)
	if !ok && len(r.m.Body) > 0 {
		return errBadBody()
	}
	if rep := missingRequired(r.m, req); rep.status != 0 {
		return rep
	}
	key := responseKey(r.m, op)
	s.generic.mu.Lock()
	defer s.generic.mu.Unlock()
	c := s.collection(lr, path)
	item := map[string]any{}
	// The template: the spec's answer to the create, else a listed item.
	if body, err := decodeJSON(op.Body); err == nil {
		if bm, ok := body.(map[string]any); ok {
			if obj, ok := bm[key].(map[string]any); ok && key != "" {
				item = obj
			} else if key == "" {
				item = bm
			}
		}
	}
	if len(item) == 0 && len(c.items) > 0 {
		v, _ := decodeJSON(mustMarshal(c.items[0]))
		item, _ = v.(map[string]any)
	}
	for k, v := range req {
		if _, known := item[k]; known || len(item) == 0 {
			item[k] = v
		}
	}
	s.assignID(item, req)
	for _, k := range []string{"created_at", "created"} {
		if _, ok := item[k]; ok {
			item[k] = s.stamp()
		}
	}
	c.items = append(c.items, item)
	if op.Status == http.StatusNoContent {
		return reply{status: op.Status}
	}
	return jsonReply(op.Status, wrap(key, item))
}

// assignID gives a new item a fresh id of the kind its template has: the
// next integer, a new UUID, or the request's name.
func (s *Server) assignID(item, req map[string]any) {
	for _, f := range []string{"id", "uuid"} {
		v, ok := item[f]
		if !ok {
			continue
		}
		s.generic.nextID++
		switch x := v.(type) {
		case string:
			if looksLikeUUID(x) || f == "uuid" {
				item[f] = formatUUID(mix64(uint64(s.seed)^uint64(s.generic.nextID)), mix64(uint64(s.generic.nextID)))
			} else if name, ok := req["name"].(string); ok && name != "" {
				item[f] = name
			} else {
				item[f] = fmt.Sprintf("%s-%d", x, s.generic.nextID)
			}
		default:
			item[f] = 500000000 + s.generic.nextID
		}
		return
	}
}

func looksLikeUUID(s string) bool {
	return len(s) == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-'
}

func mustMarshal(v any) []byte {
	b, _ := marshal(v)
	return b
}

// genericUpdate answers PUT or PATCH of one item: the request's fields that
// the item has replace its values.
func (s *Server) genericUpdate(ex *exchange, r *route, op specOp, lr *route, segs []string) reply {
	req, ok := requestObject(ex.body)
	if !ok && len(r.m.Body) > 0 {
		return errBadBody()
	}
	s.generic.mu.Lock()
	defer s.generic.mu.Unlock()
	c := s.collection(lr, strings.Join(segs[:len(segs)-1], "/"))
	i := findItem(c, segs[len(segs)-1], r.lastParam())
	if i < 0 {
		return errNotFound()
	}
	if ex.r.Method == http.MethodPut {
		if rep := missingRequired(r.m, req); rep.status != 0 {
			return rep
		}
	}
	item := c.items[i]
	for k, v := range req {
		if _, known := item[k]; known {
			item[k] = v
		}
	}
	if op.Status == http.StatusNoContent {
		return reply{status: op.Status}
	}
	return jsonReply(op.Status, wrap(responseKey(r.m, op), item))
}

// genericDelete answers DELETE of one item.
func (s *Server) genericDelete(r *route, op specOp, lr *route, segs []string) reply {
	s.generic.mu.Lock()
	defer s.generic.mu.Unlock()
	c := s.collection(lr, strings.Join(segs[:len(segs)-1], "/"))
	i := findItem(c, segs[len(segs)-1], r.lastParam())
	if i < 0 {
		return errNotFound()
	}
	c.items = append(c.items[:i], c.items[i+1:]...)
	return cannedReply(op)
}

// unescapeSegs decodes each path segment.
func unescapeSegs(segs []string) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			out[i] = u
		} else {
			out[i] = s
		}
	}
	return out
}

// rawBody answers the GETs whose success body is not JSON with a plausible
// body of the spec's content type: an invoice as CSV (the spec's example
// rows) or PDF, a cluster's kubeconfig as YAML, naming the item asked for.
func rawBody(tpl string, segs []string) (reply, bool) {
	id := segs[len(segs)-2]
	switch tpl {
	case "customers/my/invoices/{}/csv":
		body := "product,group_description,description,hours,start,end,USD,project_name,category\n" +
			"Floating IPs,,Unused Floating IP - 1.1.1.1,100,2020-07-01 00:00:00 +0000,2020-07-22 18:14:39 +0000,$3.11,,iaas\n" +
			"Taxes,,STATE SALES TAX (6.25%),,2020-07-01 00:00:00 +0000,2020-07-31 23:59:59 +0000,$0.16,,iaas\n"
		return reply{status: http.StatusOK, body: []byte(body), contentType: "text/csv"}, true
	case "customers/my/invoices/{}/pdf":
		// A minimal PDF; the second line's bytes above 0x7f mark it binary.
		body := "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
			"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% invoice " + id + "\n" +
			"trailer << /Root 1 0 R >>\n%%EOF\n"
		return reply{status: http.StatusOK, body: []byte(body), contentType: "application/pdf"}, true
	case "kubernetes/clusters/{}/kubeconfig":
		name := "do-nyc1-" + id
		body := "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\n" +
			"    server: https://" + id + ".k8s.ondigitalocean.com\n  name: " + name + "\n" +
			"contexts:\n- context:\n    cluster: " + name + "\n    user: " + name + "-admin\n  name: " + name + "\n" +
			"current-context: " + name + "\nkind: Config\npreferences: {}\nusers:\n- name: " + name + "-admin\n" +
			"  user:\n    token: 403d085aaa80102277d8da97ffd2db2b6a4f129d0e2146098fdfb0cec624babc\n"
		return reply{status: http.StatusOK, body: []byte(body), contentType: "application/yaml"}, true
	}
	return reply{}, false
}
