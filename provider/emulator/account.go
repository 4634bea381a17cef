package emulator

import (
	"encoding/json"
	"fmt"
	"sort"
)

// The account around the Droplets: volumes, reserved IPs, load balancers,
// firewalls and projects, made so that an audit of what nothing uses has
// something to find: volumes attached to no Droplet, reserved IPs assigned
// to nothing, load balancers and firewalls with no Droplets. Each object is
// the spec's example object with the account's values put in; they are
// served by the generic handlers when the registry has the resource.

// Collection paths of the account's resources.
const (
	volumesPath          = "volumes"
	reservedIPsPath      = "reserved_ips"
	floatingIPsPath      = "floating_ips"
	loadBalancersPath    = "load_balancers"
	firewallsPath        = "firewalls"
	projectsPath         = "projects"
	defaultResourcesPath = "projects/default/resources"
)

// specItem returns a fresh copy of the first object of the spec's answer to
// op under key (an array's first element, or the object), or an empty map.
func specItem(op, key string) map[string]any {
	so, ok := lookupSpec(op)
	if !ok {
		return map[string]any{}
	}
	body, err := decodeJSON(so.Body)
	if err != nil {
		return map[string]any{}
	}
	bm, _ := body.(map[string]any)
	switch v := bm[key].(type) {
	case []any:
		if len(v) > 0 {
			if m, ok := v[0].(map[string]any); ok {
				return m
			}
		}
	case map[string]any:
		return v
	}
	return map[string]any{}
}

// plainValue turns a Go value into the JSON values the generic items hold.
func plainValue(v any) any {
	b, err := marshal(v)
	if err != nil {
		return nil
	}
	out, _ := decodeJSON(b)
	return out
}

func num(n int) json.Number        { return json.Number(itoa(n)) }
func regionObject(slug string) any { r, _ := lookupRegion(slug); return plainValue(r) }

// buildAccount makes the account's other resources around the Droplets. It
// draws from its own generator, so the images and Droplets do not change.
// Call after buildDroplets, before the server is shared.
func (s *Server) buildAccount() {
	g := &rng{state: mix64(uint64(s.seed) ^ 0xacc0)}
	ds := s.droplets
	colls := map[string]*collection{}
	s.generic.colls = colls
	when := func(daysBefore int) string {
		return timeFormat(s.now.Unix() - int64(daysBefore)*86400 - int64(g.intn(86400)))
	}
	// Droplets by role: the first active ones carry the attachments; the
	// powered-off ones are left alone.
	var active []*dropletRecord
	for _, d := range ds {
		if d.Status == "active" {
			active = append(active, d)
		}
	}
	if len(active) == 0 {
		active = ds
	}
	at := func(i int) *dropletRecord { return active[i%len(active)] }

	// Projects: the default one and production, which holds what is tagged prod.
	defaultProject := g.uuid()
	prodProject := g.uuid()
	projects := &collection{}
	for _, p := range []struct {
		id, name, purpose, env, desc string
		isDefault                    bool
		age                          int
	}{
		{defaultProject, "Default", "Just trying out DigitalOcean", "Development", "Default project", true, 2200},
		{prodProject, "production", "Service or API", "Production", "What the customers use", false, 1500},
	} {
		it := specItem("GET /v2/projects", "projects")
		it["id"], it["name"], it["purpose"], it["environment"], it["description"] = p.id, p.name, p.purpose, p.env, p.desc
		it["is_default"] = p.isDefault
		it["created_at"] = when(p.age)
		it["updated_at"] = when(p.age / 2)
		projects.items = append(projects.items, it)
	}
	colls[projectsPath] = projects
	resources := map[string]*collection{defaultProject: {}, prodProject: {}}
	colls[projectsPath+"/"+defaultProject+"/resources"] = resources[defaultProject]
	colls[defaultResourcesPath] = resources[defaultProject]
	colls[projectsPath+"/"+prodProject+"/resources"] = resources[prodProject]
	assign := func(prod bool, urn, self string, age int) string {
		p := defaultProject
		if prod {
			p = prodProject
		}
		resources[p].items = append(resources[p].items, map[string]any{
			"urn": urn, "assigned_at": when(age), "status": "ok",
			"links": map[string]any{"self": "https://api.digitalocean.com/v2/" + self},
		})
		return p
	}
	isProd := func(d *dropletRecord) bool { return d != nil && contains(d.Tags, "prod") }
	for _, d := range ds {
		assign(isProd(d), "do:droplet:"+itoa(d.ID), "droplets/"+itoa(d.ID), 300)
	}

	// Volumes: some attached, three attached to nothing. The first
	// unattached one is the volume the volume snapshots were taken from.
	vols := &collection{}
	type vol struct {
		name   string
		gb     int
		to     *dropletRecord
		region string
		id     string
		age    int
		tags   []string
	}
	spare := ""
	if len(s.volumes) > 0 {
		spare = s.volumes[0].ResourceID
	}
	plan := []vol{
		{name: "pvc-data-web", gb: 100, to: at(0), age: 400, tags: []string{"prod"}},
		{name: "mysql-data", gb: 250, to: at(1), age: 700, tags: []string{"db", "prod"}},
		{name: "uploads", gb: 50, to: at(0), age: 120, tags: []string{}},
		{name: "logs-archive", gb: 500, region: "lon1", id: spare, age: 1500, tags: []string{"logs"}},
		{name: "media-old", gb: 200, region: "nyc3", age: 900, tags: []string{}},
		{name: "pg-wal-2023", gb: 40, region: "fra1", age: 1000, tags: []string{"legacy"}},
	}
	for _, v := range plan {
		it := specItem("GET /v2/volumes", "volumes")
		id := v.id
		if id == "" {
			id = g.uuid()
		}
		region := v.region
		dropletIDs := []any{}
		if v.to != nil {
			region = v.to.region
			dropletIDs = append(dropletIDs, num(v.to.ID))
			v.to.volumes = append(v.to.volumes, id)
		}
		it["id"], it["name"], it["region"], it["droplet_ids"] = id, v.name, regionObject(region), dropletIDs
		it["size_gigabytes"] = num(v.gb)
		it["description"] = "Block storage for " + v.name
		it["filesystem_type"], it["filesystem_label"] = "ext4", v.name
		it["created_at"] = when(v.age)
		it["tags"] = plainValue(v.tags)
		vols.items = append(vols.items, it)
		assign(isProd(v.to), "do:volume:"+id, "volumes/"+id, v.age)
		// Every volume has been snapshotted at least once, more than 100
		// days before Options.Now (so, at any later date, more than 90 days ago).
		if !s.hasVolumeSnapshot(id) {
			created := s.now.Unix() - int64(100+v.age/2)*86400 - int64(g.intn(86400))
			s.volumes = append(s.volumes, &Snapshot{
				ID: g.uuid(), Name: v.name + "-snap-" + timeFormat(created)[:10], CreatedAt: timeFormat(created),
				Regions: []string{region}, MinDiskSize: ptr(v.gb), SizeGigabytes: ptr(float64(v.gb*(20+g.intn(60))) / 100),
				ResourceID: id, ResourceType: "volume", Tags: []string{},
			})
		}
	}
	colls[volumesPath] = vols
	sort.Slice(s.volumes, func(i, j int) bool { return s.volumes[i].ID < s.volumes[j].ID })

	// Reserved IPs: two assigned to Droplets, two to nothing.
	ips := &collection{}
	for i, r := range []struct {
		to     *dropletRecord
		region string
	}{{at(0), ""}, {at(2), ""}, {nil, "nyc3"}, {nil, "fra1"}} {
		it := specItem("GET /v2/reserved_ips", "reserved_ips")
		ip := fmt.Sprintf("%d.%d.%d.%d", pick(g, []int{134, 146, 157, 174}), 1+g.intn(254), 1+g.intn(254), 10+i)
		region := r.region
		var droplet any
		if r.to != nil {
			region = r.to.region
			droplet = plainValue(s.droplet(r.to))
		}
		it["ip"], it["region"], it["droplet"], it["locked"] = ip, regionObject(region), droplet, false
		it["project_id"] = assign(isProd(r.to), "do:floatingip:"+ip, "reserved_ips/"+ip, 200+100*i)
		ips.items = append(ips.items, it)
	}
	colls[reservedIPsPath] = ips
	colls[floatingIPsPath] = ips // the same addresses under the older name

	// Load balancers: one in front of two Droplets, two in front of none.
	lbs := &collection{}
	for _, l := range []struct {
		name   string
		to     []*dropletRecord
		region string
		nodes  int
		age    int
	}{
		{"web-lb", []*dropletRecord{at(0), at(3)}, "", 1, 600},
		{"staging-lb", nil, "nyc3", 1, 300},
		{"api-lb-2023", nil, "sgp1", 2, 800},
	} {
		it := specItem("GET /v2/load_balancers", "load_balancers")
		id := g.uuid()
		region := l.region
		ids := []any{}
		for _, d := range l.to {
			ids = append(ids, num(d.ID))
			region = d.region
		}
		it["id"], it["name"], it["droplet_ids"], it["region"] = id, l.name, ids, regionObject(region)
		it["ip"] = fmt.Sprintf("%d.%d.%d.%d", pick(g, []int{138, 159, 165}), 1+g.intn(254), 1+g.intn(254), 2+g.intn(250))
		it["size_unit"] = num(l.nodes)
		it["size"] = map[int]string{1: "lb-small", 3: "lb-medium", 6: "lb-large"}[l.nodes]
		if it["size"] == "" {
			delete(it, "size")
		}
		it["status"], it["tag"] = "active", ""
		it["created_at"] = when(l.age)
		it["vpc_uuid"] = defaultVPC(region)
		it["project_id"] = assign(len(l.to) > 0 && isProd(l.to[0]), "do:loadbalancer:"+id, "load_balancers/"+id, l.age)
		lbs.items = append(lbs.items, it)
	}
	colls[loadBalancersPath] = lbs

	// Firewalls: one on a Droplet, one on the prod tag, two on nothing (one
	// names a tag no Droplet carries).
	fws := &collection{}
	for _, f := range []struct {
		name string
		to   []*dropletRecord
		tags []string
		age  int
	}{
		{"web-fw", []*dropletRecord{at(0)}, []string{}, 500},
		{"prod-fw", nil, []string{"prod"}, 450},
		{"old-ssh-fw", nil, []string{}, 1200},
		{"retired-fw", nil, []string{"retired"}, 1100},
	} {
		it := specItem("GET /v2/firewalls", "firewalls")
		ids := []any{}
		for _, d := range f.to {
			ids = append(ids, num(d.ID))
		}
		it["id"], it["name"], it["droplet_ids"], it["tags"] = g.uuid(), f.name, ids, plainValue(f.tags)
		it["status"], it["pending_changes"] = "succeeded", []any{}
		it["created_at"] = when(f.age)
		fws.items = append(fws.items, it)
	}
	colls[firewallsPath] = fws
}

// hasVolumeSnapshot reports whether a volume snapshot was taken from the
// volume with that id.
func (s *Server) hasVolumeSnapshot(id string) bool {
	for _, v := range s.volumes {
		if v.ResourceID == id {
			return true
		}
	}
	return false
}
