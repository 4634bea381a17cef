package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// listRegions answers GET /v2/regions.
func (s *Server) listRegions(r *http.Request) reply {
	q := r.URL.Query()
	pg := newPager(q)
	total := len(regionTable)
	lo, hi := pg.window(total)
	page := append([]Region{}, regionTable[lo:hi]...)
	return listReply("regions", page, pg.links(r, filterValues(q), total), total)
}

// listSnapshots answers GET /v2/snapshots: droplet snapshots (the private
// images of type snapshot, by id) then volume snapshots (by id).
func (s *Server) listSnapshots(r *http.Request) reply {
	q := r.URL.Query()
	pg := newPager(q)
	rt := q.Get("resource_type")
	if rt != "" && rt != "droplet" && rt != "volume" {
		return errBadQuery("invalid resource_type %q: want droplet or volume", rt)
	}

	s.mu.RLock()
	page := make([]Snapshot, 0, min(pg.perPage, 64))
	total := 0
	if rt != "volume" {
		matches := s.matches("snapshots", (*imageRecord).isDropletSnapshot)
		total = len(matches)
		lo, hi := pg.window(total)
		for _, i := range matches[lo:hi] {
			page = append(page, s.images[i].snapshot())
		}
	}
	if rt != "droplet" {
		for _, v := range s.volumes {
			if pg.holds(total) {
				page = append(page, *v)
			}
			total++
		}
	}
	s.mu.RUnlock()

	return listReply("snapshots", page, pg.links(r, filterValues(q, "resource_type"), total), total)
}

// snapshotEnvelope is the body of a single-snapshot answer.
type snapshotEnvelope struct {
	Snapshot Snapshot `json:"snapshot"`
}

// findSnapshot returns the snapshot with that id: a droplet snapshot (an
// image id) or a volume snapshot. Call with mu held.
func (s *Server) findSnapshot(id string) (snap Snapshot, volumeIndex int, ok bool) {
	if n, isInt := parseID(id); isInt {
		if rec := s.image(n); rec != nil && rec.isDropletSnapshot() {
			return rec.snapshot(), -1, true
		}
		return Snapshot{}, -1, false
	}
	i := sort.Search(len(s.volumes), func(i int) bool { return s.volumes[i].ID >= id })
	if i < len(s.volumes) && s.volumes[i].ID == id {
		return *s.volumes[i], i, true
	}
	return Snapshot{}, -1, false
}

// getSnapshot answers GET /v2/snapshots/{id}.
func (s *Server) getSnapshot(id string) reply {
	s.mu.RLock()
	snap, _, ok := s.findSnapshot(id)
	other := !ok && s.isOtherResource(id)
	s.mu.RUnlock()
	switch {
	case other:
		return errNotASnapshot()
	case !ok:
		return errNotFound()
	}
	return jsonReply(http.StatusOK, snapshotEnvelope{snap})
}

// isOtherResource reports whether id names an image, Droplet or volume that
// is not a snapshot: the API answers 400 for those. Call with mu held.
func (s *Server) isOtherResource(id string) bool {
	if n, isInt := parseID(id); isInt {
		return s.image(n) != nil || s.dropByID[n] != nil
	}
	for _, v := range s.volumes {
		if v.ResourceID == id {
			return true
		}
	}
	return false
}

// deleteSnapshot answers DELETE /v2/snapshots/{id}; deleting a droplet
// snapshot deletes its image.
func (s *Server) deleteSnapshot(id string) reply {
	s.lockForWrite()
	defer s.mu.Unlock()
	_, vi, ok := s.findSnapshot(id)
	switch {
	case !ok && s.isOtherResource(id):
		return errNotASnapshot()
	case !ok:
		return errNotFound()
	case vi >= 0:
		copy(s.volumes[vi:], s.volumes[vi+1:])
		s.volumes[len(s.volumes)-1] = nil
		s.volumes = s.volumes[:len(s.volumes)-1]
	default:
		n, _ := parseID(id)
		s.removeImage(n)
	}
	return reply{status: http.StatusNoContent}
}

// listDroplets answers GET /v2/droplets, filtered by tag_name and by exact name.
func (s *Server) listDroplets(r *http.Request) reply {
	q := r.URL.Query()
	pg := newPager(q)
	tag, name := q.Get("tag_name"), q.Get("name")
	if tag != "" && name != "" {
		// DigitalOcean documents the two filters as not combinable.
		return errBadQuery("name and tag_name cannot be combined")
	}

	s.mu.RLock()
	page := make([]Droplet, 0, min(pg.perPage, 64))
	total := 0
	for _, d := range s.droplets {
		if (tag != "" && !d.hasTag(tag)) || (name != "" && !strings.EqualFold(d.Name, name)) {
			continue
		}
		if pg.holds(total) {
			page = append(page, s.droplet(d))
		}
		total++
	}
	s.mu.RUnlock()

	return listReply("droplets", page, pg.links(r, filterValues(q, "name", "tag_name"), total), total)
}

// dropletEnvelope is the body of a single-droplet answer.
type dropletEnvelope struct {
	Droplet Droplet `json:"droplet"`
}

// getDroplet answers GET /v2/droplets/{id}.
func (s *Server) getDroplet(idText string) reply {
	id, ok := parseID(idText)
	if !ok {
		return errNotFound()
	}
	s.mu.RLock()
	d := s.dropByID[id]
	var out Droplet
	if d != nil {
		out = s.droplet(d)
	}
	s.mu.RUnlock()
	if d == nil {
		return errNotFound()
	}
	return jsonReply(http.StatusOK, dropletEnvelope{out})
}

// droplet renders a stored Droplet with its current image, snapshots,
// backups and volumes. Call with mu held.
func (s *Server) droplet(d *dropletRecord) Droplet {
	size, _ := lookupSize(d.SizeSlug)
	out := Droplet{
		ID:          d.ID,
		Name:        d.Name,
		Memory:      size.Memory,
		VCPUs:       size.VCPUs,
		Disk:        size.Disk,
		DiskInfo:    size.DiskInfo,
		Status:      d.Status,
		CreatedAt:   d.CreatedAt,
		Features:    make([]string, 0, 3),
		BackupIDs:   []int{},
		SnapshotIDs: []int{},
		Image:       d.image,
		VolumeIDs:   append([]string{}, d.volumes...),
		Size:        size,
		SizeSlug:    d.SizeSlug,
		Networks: Networks{
			V4: []NetworkV4{
				{IPAddress: d.privateV4, Netmask: "255.255.240.0", Gateway: "nil", Type: "private"},
				{IPAddress: d.publicV4, Netmask: "255.255.240.0", Gateway: gateway(d.publicV4), Type: "public"},
			},
			V6: []NetworkV6{},
		},
		Tags:    d.Tags,
		VpcUUID: defaultVPC(d.region),
	}
	if d.backups {
		out.Features = append(out.Features, "backups")
		day := s.now.Truncate(24 * time.Hour).Add(24 * time.Hour)
		out.NextBackupWindow = &BackupWindow{Start: day.Format(isoLayout), End: day.Add(23 * time.Hour).Format(isoLayout)}
	}
	out.Features = append(out.Features, "private_networking")
	if d.ipv6 {
		out.Features = append(out.Features, "ipv6")
		out.Networks.V6 = []NetworkV6{{IPAddress: fmt.Sprintf("2604:a880:4:1d0::%x:%x", (d.ID>>16)&0xffff, d.ID&0xffff), Netmask: 64, Gateway: "2604:a880:4:1d0::1", Type: "public"}}
	}
	if rec := s.image(d.imageID); rec != nil {
		out.Image = rec.Image
	}
	out.Region, _ = lookupRegion(d.region)
	for _, id := range d.ownImages {
		rec := s.image(id)
		switch {
		case rec == nil:
		case rec.Type == "snapshot":
			out.SnapshotIDs = append(out.SnapshotIDs, id)
		case rec.Type == "backup":
			out.BackupIDs = append(out.BackupIDs, id)
		}
	}
	return out
}

// gateway is the .1 address of an IPv4 address's /20.
func gateway(ip string) string {
	var a, b, c, d int
	if _, err := fmt.Sscanf(ip, "%d.%d.%d.%d", &a, &b, &c, &d); err != nil {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d.1", a, b, c&^15)
}
