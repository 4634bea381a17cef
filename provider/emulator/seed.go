package emulator

import (
	"fmt"
	"sort"
	"time"
)

// isoLayout is the API's ISO8601 timestamp form.
const isoLayout = "2006-01-02T15:04:05Z"

// The seed dataset's images are created between these instants, their
// created_at increasing with their id.
var (
	seedStart = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	seedEnd   = time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC).Unix()
)

// timeFormat formats a Unix time as isoLayout; hand-rolled because the seed
// formats one per image.
func timeFormat(sec int64) string {
	t := time.Unix(sec, 0).UTC()
	y, mo, d := t.Date()
	h, mi, se := t.Clock()
	b := [20]byte{0, 0, 0, 0, '-', 0, 0, '-', 0, 0, 'T', 0, 0, ':', 0, 0, ':', 0, 0, 'Z'}
	put := func(at, v, width int) {
		for i := at + width - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	put(5, int(mo), 2)
	put(8, d, 2)
	put(11, h, 2)
	put(14, mi, 2)
	put(17, se, 2)
	return string(b[:])
}

// rng is splitmix64: tiny, fast and stable across Go releases, so a seed
// names the same dataset forever.
type rng struct{ state uint64 }

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (g *rng) next() uint64 {
	g.state += 0x9e3779b97f4a7c15
	return mix64(g.state)
}

// intn returns a number in [0, n); n must be positive.
func (g *rng) intn(n int) int { return int(g.next() % uint64(n)) }

// pct reports true with probability p percent.
func (g *rng) pct(p int) bool { return g.intn(100) < p }

func ptr[T any](v T) *T { return &v }

func pick[T any](g *rng, list []T) T { return list[g.intn(len(list))] }

func (g *rng) uuid() string { return formatUUID(g.next(), g.next()) }

// sizeGB returns a size between 0.5 and limit GB (80 at most) with two decimals.
func (g *rng) sizeGB(limit int) float64 {
	hi := max(min(limit, 80)*100, 51)
	return float64(50+g.intn(hi-50)) / 100
}

type catalogEntry struct {
	name, slug, distribution, description string
	minDisk                               int
}

// distributionCatalog lists public distribution images; the first entries
// are used first, so small datasets get a varied selection.
var distributionCatalog = []catalogEntry{
	{"24.04 (LTS) x64", "ubuntu-24-04-x64", "Ubuntu", "Ubuntu 24.04 (LTS) x64", 10},
	{"12 x64", "debian-12-x64", "Debian", "Debian 12 x64", 10},
	{"9 x64", "rockylinux-9-x64", "Rocky Linux", "Rocky Linux 9 x64", 10},
	{"40 x64", "fedora-40-x64", "Fedora", "Fedora 40 x64", 15},
	{"22.04 (LTS) x64", "ubuntu-22-04-x64", "Ubuntu", "Ubuntu 22.04 (LTS) x64", 7},
	{"Stream 9 x64", "centos-stream-9-x64", "CentOS", "CentOS Stream 9 x64", 10},
	{"11 x64", "debian-11-x64", "Debian", "Debian 11 x64", 7},
	{"14.1 ufs x64", "freebsd-14-x64-ufs", "FreeBSD", "FreeBSD 14.1 ufs x64", 20},
	{"20.04 (LTS) x64", "ubuntu-20-04-x64", "Ubuntu", "Ubuntu 20.04 (LTS) x64", 7},
	{"8 x64", "rockylinux-8-x64", "Rocky Linux", "Rocky Linux 8 x64", 10},
	{"39 x64", "fedora-39-x64", "Fedora", "Fedora 39 x64", 15},
	{"Arch Linux x64", "archlinux-x64", "Arch Linux", "Arch Linux x64", 10},
	{"Leap 15.5 x64", "opensuse-leap-15-x64", "openSUSE", "openSUSE Leap 15.5 x64", 10},
	{"stable x64", "coreos-stable", "CoreOS", "CoreOS stable", 20},
	{"29 x64 Atomic", "fedora-atomic-29-x64", "Fedora Atomic", "Fedora Atomic 29 x64", 20},
	{"Gentoo x64", "gentoo-x64", "Gentoo", "Gentoo x64", 20},
	{"v1.5.8", "rancheros", "RancherOS", "RancherOS v1.5.8", 15},
	{"Stream 8 x64", "centos-stream-8-x64", "CentOS", "CentOS Stream 8 x64", 10},
}

// applicationCatalog lists public 1-Click application images.
var applicationCatalog = []catalogEntry{
	{"WordPress 6.5 on Ubuntu 22.04", "wordpress-20-04", "Ubuntu", "WordPress, the blogging platform", 25},
	{"Docker 26.1 on Ubuntu 22.04", "docker-20-04", "Ubuntu", "Docker Engine and Docker Compose", 25},
	{"LAMP on Ubuntu 22.04", "lamp-20-04", "Ubuntu", "Linux, Apache, MySQL, PHP", 25},
	{"LEMP on Ubuntu 22.04", "lemp-20-04", "Ubuntu", "Linux, Nginx, MySQL, PHP", 25},
	{"MySQL 8.0 on Ubuntu 22.04", "mysql-20-04", "Ubuntu", "MySQL database server", 25},
	{"Node.js 20 on Ubuntu 22.04", "nodejs-20-04", "Ubuntu", "Node.js with PM2 and Nginx", 25},
	{"Django 5.0 on Ubuntu 22.04", "django-20-04", "Ubuntu", "Django with Gunicorn and Nginx", 25},
	{"Ghost 5 on Ubuntu 22.04", "ghost-20-04", "Ubuntu", "Ghost publishing platform", 25},
	{"GitLab 16 on Ubuntu 22.04", "gitlab-20-04", "Ubuntu", "GitLab Community Edition", 50},
	{"Grafana 10 on Ubuntu 22.04", "grafana-20-04", "Ubuntu", "Grafana dashboards", 25},
	{"Jenkins on Ubuntu 22.04", "jenkins-20-04", "Ubuntu", "Jenkins automation server", 25},
	{"Redis 7 on Ubuntu 22.04", "redis-20-04", "Ubuntu", "Redis in-memory store", 25},
	{"OpenVPN Access Server", "openvpn-20-04", "Ubuntu", "OpenVPN Access Server", 25},
	{"Discourse on Ubuntu 22.04", "discourse-20-04", "Ubuntu", "Discourse forum", 25},
	{"MongoDB 7.0 on Ubuntu 22.04", "mongodb-7-0", "Ubuntu", "MongoDB document database", 25},
}

var (
	hostPrefixes = []string{"web", "api", "db", "worker", "cache", "lb", "ci-runner", "staging-web",
		"legacy-app", "monitoring", "mail", "vpn", "jump", "redis", "kafka", "search"}
	privateDistributions = []string{"Ubuntu", "Ubuntu", "Ubuntu", "Ubuntu", "Debian", "Debian",
		"Rocky Linux", "CentOS", "Fedora", "Unknown"}
	snapshotDescriptions = []string{"", "", "", "before kernel upgrade", "pre-migration",
		"weekly manual snapshot", "golden image", "before release 2.3", "after hardening"}
	customImages = []struct{ name, distribution string }{
		{"alpine-3.19-custom", "Unknown"}, {"nixos-23.11", "Unknown"}, {"freebsd-14-zfs", "FreeBSD"},
		{"talos-1.6", "Unknown"}, {"flatcar-stable", "CoreOS"}, {"debian-12-hardened", "Debian"},
		{"rocky-9-golden", "Rocky Linux"}, {"ubuntu-22.04-cis", "Ubuntu"}, {"arch-minimal", "Arch Linux"},
		{"opensuse-microos", "openSUSE"}, {"gentoo-stage3", "Gentoo"}, {"fedora-coreos", "Fedora"},
	}
	importErrors = []string{
		"Unable to download image: 404 Not Found",
		"Image format not supported: expected raw, qcow2, vhdx, vdi or vmdk",
		"Image is larger than 100 GB after decompression",
		"Unable to decompress image: unexpected end of gzip stream",
	}
	minDiskSizes   = []int{10, 20, 25, 30, 40, 50, 60, 80, 100, 160}
	dropletSizes   = []string{"s-1vcpu-1gb", "s-1vcpu-2gb", "s-2vcpu-4gb", "s-4vcpu-8gb", "c-2", "g-2vcpu-8gb"}
	volumePrefixes = []string{"pvc-data", "mysql-data", "uploads", "logs", "media", "pg-wal"}
)

// Shared, read-only tag lists.
var (
	tagsEmpty    = []string{}
	tagsLegacy   = []string{"legacy"}
	tagsProd     = []string{"prod"}
	tagsBaseProd = []string{"base", "prod"}
	tagChoices   = [][]string{nil, nil, tagsEmpty, tagsEmpty, tagsProd, tagsProd, tagsLegacy,
		tagsBaseProd, {"staging"}, {"web", "prod"}, {"db", "prod"}, {"ci"}, {"legacy", "web"}}
	dropletTagChoices = [][]string{tagsEmpty, tagsProd, tagsProd, {"web", "prod"}, {"staging"},
		{"db", "prod"}, tagsLegacy}
)

type imageKind int

const (
	kindDistribution imageKind = iota
	kindApplication
	kindSnapshot
	kindBackup
	kindCustom
)

// imageSpec is what the shuffle decides about one image before its details.
type imageSpec struct {
	kind      imageKind
	status    string   // custom images: available, deleted, pending or NEW
	tags      []string // used when fixedTags
	fixedTags bool
}

// build fills s with the seed dataset for (n, seed).
func (s *Server) build(n int, seed int64) {
	g := &rng{state: uint64(seed)*0x2545f4914f6cdd1d ^ uint64(n)}
	specs := seedSpecs(g, n)

	s.images = make([]*imageRecord, 0, n)
	s.bySlug = make(map[string]*imageRecord)
	span := seedEnd - seedStart
	step := max(span/int64(n), 1)
	id := 100000
	var nDist, nApp int
	slab := make([]imageRecord, n) // one allocation instead of n
	for i, sp := range specs {
		id += 1 + g.intn(37)
		created := seedStart + span*int64(i)/int64(n) + int64(g.intn(int(step)))
		rec := &slab[i]
		rec.Image = Image{ID: id, CreatedAt: timeFormat(created), Status: "available"}
		switch sp.kind {
		case kindDistribution:
			e := distributionCatalog[nDist%len(distributionCatalog)]
			s.publicImage(g, rec, e, nDist/len(distributionCatalog), "base", "distribution")
			nDist++
		case kindApplication:
			e := applicationCatalog[nApp%len(applicationCatalog)]
			s.publicImage(g, rec, e, nApp/len(applicationCatalog), "snapshot", "application")
			nApp++
		case kindSnapshot, kindBackup:
			privateSnapshot(g, rec, sp.kind, created)
		case kindCustom:
			customImage(g, rec, sp.status)
		}
		switch {
		case sp.fixedTags:
			rec.Tags = sp.tags
		case rec.Public:
			rec.Tags = pick(g, [][]string{nil, tagsEmpty})
		default:
			rec.Tags = pick(g, tagChoices)
		}
		s.images = append(s.images, rec)
	}
	s.nextID = id + 1
	s.buildDroplets(g, n)
	s.buildVolumeSnapshots(g, n)
	s.buildAccount()
}

// seedSpecs decides the kind of each of the n images, shuffled. Small
// datasets still cover every kind: the first private specs are fixed.
func seedSpecs(g *rng, n int) []imageSpec {
	nd, na := max(n*15/100, 2), max(n/10, 2)
	if nd+na > n {
		nd = min(nd, (n+1)/2)
		na = min(na, n-nd)
	}
	forced := []imageSpec{
		{kind: kindSnapshot, fixedTags: true},
		{kind: kindSnapshot, tags: tagsLegacy, fixedTags: true},
		{kind: kindBackup, tags: tagsEmpty, fixedTags: true},
		{kind: kindCustom, status: "available", tags: tagsProd, fixedTags: true},
		{kind: kindCustom, status: "deleted"},
		{kind: kindBackup},
		{kind: kindCustom, status: "pending"},
		{kind: kindCustom, status: "NEW"},
		{kind: kindSnapshot, tags: tagsBaseProd, fixedTags: true},
	}
	specs := make([]imageSpec, 0, n)
	for range nd {
		specs = append(specs, imageSpec{kind: kindDistribution})
	}
	for range na {
		specs = append(specs, imageSpec{kind: kindApplication})
	}
	for i := 0; len(specs) < n; i++ {
		if i < len(forced) {
			specs = append(specs, forced[i])
			continue
		}
		sp := imageSpec{kind: kindSnapshot}
		switch r := g.intn(100); {
		case r < 50:
		case r < 75:
			sp.kind = kindBackup
		default:
			sp.kind = kindCustom
			switch r := g.intn(100); {
			case r < 75:
				sp.status = "available"
			case r < 87:
				sp.status = "deleted"
			case r < 94:
				sp.status = "pending"
			default:
				sp.status = "NEW"
			}
		}
		specs = append(specs, sp)
	}
	for i := len(specs) - 1; i > 0; i-- {
		j := g.intn(i + 1)
		specs[i], specs[j] = specs[j], specs[i]
	}
	// Imports still in progress are the newest images.
	ordered := make([]imageSpec, 0, n)
	for _, late := range []bool{false, true} {
		for _, sp := range specs {
			if inProgress(sp) == late {
				ordered = append(ordered, sp)
			}
		}
	}
	return ordered
}

func inProgress(sp imageSpec) bool { return sp.status == "NEW" || sp.status == "pending" }

// publicImage makes rec a public image of the catalog entry; round > 0
// marks a later build of the same entry, with its own slug.
func (s *Server) publicImage(g *rng, rec *imageRecord, e catalogEntry, round int, typ, family string) {
	slug := e.slug
	name := e.name
	if round > 0 {
		slug = fmt.Sprintf("%s-%d", e.slug, round+1)
		name = fmt.Sprintf("%s (build %d)", e.name, round+1)
	}
	rec.Name = name
	rec.Type = typ
	rec.family = family
	rec.Distribution = e.distribution
	rec.Slug = &slug
	rec.Public = true
	rec.Regions = availableRegionSlugs
	rec.setSizes(e.minDisk, g.sizeGB(min(e.minDisk, 8)))
	rec.Description = e.description
	s.bySlug[slug] = rec
}

// privateSnapshot makes rec one of the account's snapshots or backups.
func privateSnapshot(g *rng, rec *imageRecord, kind imageKind, created int64) {
	host := fmt.Sprintf("%s-%02d", pick(g, hostPrefixes), 1+g.intn(12))
	t := time.Unix(created, 0).UTC()
	if kind == kindSnapshot {
		rec.Type = "snapshot"
		rec.Name = fmt.Sprintf("%s-snapshot-%04d-%02d", host, t.Year(), int(t.Month()))
		rec.Description = pick(g, snapshotDescriptions)
		rec.Regions = privateRegions(g, 1+g.intn(3))
	} else {
		rec.Type = "backup"
		rec.Name = fmt.Sprintf("%s-backup-%s", host, t.Format("2006-01-02"))
		rec.Regions = privateRegions(g, 1)
	}
	rec.Distribution = pick(g, privateDistributions)
	minDisk := pick(g, minDiskSizes)
	rec.setSizes(minDisk, g.sizeGB(minDisk))
}

// customImage makes rec a custom image with that import status.
func customImage(g *rng, rec *imageRecord, status string) {
	c := pick(g, customImages)
	rec.Type = "custom"
	rec.Name = fmt.Sprintf("%s-v%d", c.name, 1+g.intn(9))
	rec.Distribution = c.distribution
	rec.Description = fmt.Sprintf("Imported from https://images.example.com/%s.qcow2.gz", rec.Name)
	rec.Status = status
	rec.Regions = []string{}
	switch status {
	case "available":
		rec.Regions = privateRegions(g, 1+g.intn(2))
		minDisk := pick(g, minDiskSizes)
		rec.setSizes(minDisk, g.sizeGB(minDisk))
	case "deleted":
		rec.ErrorMessage = pick(g, importErrors)
	}
}

// privateRegions picks k distinct region slugs, now and then a closed one.
func privateRegions(g *rng, k int) []string {
	out := make([]string, 0, k)
	for len(out) < k {
		r := pick(g, availableRegionSlugs)
		if g.pct(8) {
			r = pick(g, unavailableRegionSlugs)
		}
		if !contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// buildDroplets creates the account's Droplets: a few use public
// distribution images, some private snapshots or custom images; most
// private images stay unused. Snapshots and backups are assigned to
// Droplets, or to Droplets that no longer exist.
func (s *Server) buildDroplets(g *rng, n int) {
	var distros, snaps, customs, owned []*imageRecord
	for _, rec := range s.images {
		switch {
		case rec.family == "distribution":
			distros = append(distros, rec)
		case rec.Public:
		case rec.Type == "snapshot":
			snaps = append(snaps, rec)
			owned = append(owned, rec)
		case rec.Type == "backup":
			owned = append(owned, rec)
		case rec.Type == "custom" && rec.Status == "available":
			customs = append(customs, rec)
		}
	}
	if len(distros) > 5 {
		distros = distros[:5]
	}
	all := s.images

	count := min(max(n/12, 4), 2000)
	s.droplets = make([]*dropletRecord, 0, count)
	s.dropByID = make(map[int]*dropletRecord, count)
	id := 400000000
	for i := range count {
		id += 1 + g.intn(5000)
		var img *imageRecord
		switch r := g.intn(100); {
		case i == 1 && len(snaps) > 0, i > 2 && r < 25 && len(snaps) > 0:
			img = pick(g, snaps)
		case i == 2 && len(customs) > 0, i > 2 && r < 40 && len(customs) > 0:
			img = pick(g, customs)
		case len(distros) > 0:
			img = pick(g, distros)
		default:
			img = pick(g, all)
		}
		d := &dropletRecord{
			ID:       id,
			Name:     fmt.Sprintf("%s-%02d", hostPrefixes[i%len(hostPrefixes)], i/len(hostPrefixes)+1),
			Status:   "active",
			imageID:  img.ID,
			image:    img.Image.clone(),
			SizeSlug: pick(g, dropletSizes),
			Tags:     pick(g, dropletTagChoices),
		}
		if g.pct(20) {
			d.Status = "off"
		}
		d.region = pick(g, availableRegionSlugs)
		for _, r := range img.Regions {
			if reg, _ := lookupRegion(r); reg.Available {
				d.region = r
				break
			}
		}
		created, _ := time.Parse(isoLayout, img.CreatedAt)
		d.CreatedAt = timeFormat(min(created.Unix()+int64(g.intn(200*86400)), seedEnd))
		s.droplets = append(s.droplets, d)
		s.dropByID[id] = d
	}

	// Snapshots and backups are taken from Droplets that existed then: walk
	// them in creation order (which is id order) alongside the Droplets.
	byCreation := append([]*dropletRecord(nil), s.droplets...)
	sort.SliceStable(byCreation, func(i, j int) bool { return byCreation[i].CreatedAt < byCreation[j].CreatedAt })
	existing, attached := 0, 0
	for _, rec := range owned {
		for existing < len(byCreation) && byCreation[existing].CreatedAt <= rec.CreatedAt {
			existing++
		}
		if existing > 0 && (attached < 2 || g.pct(45)) {
			d := byCreation[g.intn(existing)]
			rec.dropletID = d.ID
			d.ownImages = append(d.ownImages, rec.ID)
			attached++
		} else {
			rec.dropletID = 300000000 + g.intn(99999999) // a Droplet since destroyed
		}
	}

	// What the first datasets did not have draws from its own generator, so
	// the images, Droplets and snapshots above stay as they were.
	for i, d := range s.droplets {
		h := &rng{state: mix64(uint64(s.seed) ^ uint64(d.ID))}
		d.ipv6 = h.pct(50)
		d.publicV4 = fmt.Sprintf("%d.%d.%d.%d", pick(h, []int{134, 138, 143, 159, 161, 164, 167}), 1+h.intn(254), i/250, 2+i%250)
		d.privateV4 = fmt.Sprintf("10.%d.%d.%d", 100+regionIndex(d.region), i/250, 2+i%250)
		d.backups = h.pct(30)
		for _, id := range d.ownImages {
			if rec := s.image(id); rec != nil && rec.Type == "backup" {
				d.backups = true
			}
		}
	}
}

// regionIndex is the position of a region in regionTable, or -1.
func regionIndex(slug string) int {
	for i, r := range regionTable {
		if r.Slug == slug {
			return i
		}
	}
	return -1
}

// defaultVPC is the uuid of the default VPC of a region.
func defaultVPC(region string) string {
	h := uint64(0x6a09e667f3bcc908)
	for i := 0; i < len(region); i++ {
		h = mix64(h ^ uint64(region[i]))
	}
	return formatUUID(h, mix64(h))
}

// buildVolumeSnapshots creates a few volume snapshots with UUID ids.
func (s *Server) buildVolumeSnapshots(g *rng, n int) {
	count := min(max(n/25, 3), 200)
	var volumes []string
	for range count {
		if len(volumes) == 0 || g.pct(60) {
			volumes = append(volumes, g.uuid())
		}
		created := seedStart + int64(g.intn(int(seedEnd-seedStart)))
		t := time.Unix(created, 0).UTC()
		size := pick(g, []int{10, 50, 100, 250, 500})
		s.volumes = append(s.volumes, &Snapshot{
			ID:            g.uuid(),
			Name:          fmt.Sprintf("%s-snap-%s", pick(g, volumePrefixes), t.Format("2006-01-02")),
			CreatedAt:     timeFormat(created),
			Regions:       []string{pick(g, availableRegionSlugs)},
			MinDiskSize:   &size,
			SizeGigabytes: ptr(g.sizeGB(size)),
			ResourceID:    pick(g, volumes),
			ResourceType:  "volume",
			Tags:          pick(g, tagChoices),
		})
	}
	sort.Slice(s.volumes, func(i, j int) bool { return s.volumes[i].ID < s.volumes[j].ID })
}
