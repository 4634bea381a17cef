package emulator

import (
	"net/http"
	"sort"
	"strings"
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
	s.mu.RUnlock()
	if !ok {
		return errNotFound()
	}
	return jsonReply(http.StatusOK, snapshotEnvelope{snap})
}

// deleteSnapshot answers DELETE /v2/snapshots/{id}; deleting a droplet
// snapshot deletes its image.
func (s *Server) deleteSnapshot(id string) reply {
	s.lockForWrite()
	defer s.mu.Unlock()
	_, vi, ok := s.findSnapshot(id)
	switch {
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

// droplet renders a stored Droplet with its current image, snapshots and
// backups. Call with mu held.
func (s *Server) droplet(d *dropletRecord) Droplet {
	out := Droplet{
		ID:          d.ID,
		Name:        d.Name,
		Status:      d.Status,
		Image:       d.image,
		SizeSlug:    d.SizeSlug,
		SnapshotIDs: []int{},
		BackupIDs:   []int{},
		Tags:        d.Tags,
		CreatedAt:   d.CreatedAt,
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
