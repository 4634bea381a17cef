package emulator

import (
	"net/http"
	"sort"
	"strings"
)

// A volume's snapshots are the volume snapshots of /v2/snapshots whose
// resource_id is the volume: GET and POST /v2/volumes/{id}/snapshots read
// and add to the same data (the generic collections would keep their own).

// volumeRegion returns the region slug of the account's volume with that
// id, and whether it exists.
func (s *Server) volumeRegion(id string) (string, bool) {
	s.generic.mu.Lock()
	defer s.generic.mu.Unlock()
	c := s.generic.colls[volumesPath]
	if c == nil {
		return "", false
	}
	for _, it := range c.items {
		if scalarText(it["id"]) == id {
			reg, _ := it["region"].(map[string]any)
			return scalarText(reg["slug"]), true
		}
	}
	return "", false
}

// volumeSize is the account's volume's size_gigabytes, 0 when unknown.
func (s *Server) volumeSize(id string) int {
	s.generic.mu.Lock()
	defer s.generic.mu.Unlock()
	if c := s.generic.colls[volumesPath]; c != nil {
		for _, it := range c.items {
			if scalarText(it["id"]) == id {
				n, _ := parseID(scalarText(it["size_gigabytes"]))
				return n
			}
		}
	}
	return 0
}

// listVolumeSnapshots answers GET /v2/volumes/{id}/snapshots.
func (s *Server) listVolumeSnapshots(r *http.Request, volume string) reply {
	if _, ok := s.volumeRegion(volume); !ok {
		return errNotFound()
	}
	q := r.URL.Query()
	pg := newPager(q)
	s.mu.RLock()
	page := []Snapshot{}
	total := 0
	for _, v := range s.volumes {
		if v.ResourceID != volume {
			continue
		}
		if pg.holds(total) {
			page = append(page, *v)
		}
		total++
	}
	s.mu.RUnlock()
	return listReply("snapshots", page, pg.links(r, filterValues(q), total), total)
}

// createVolumeSnapshotRequest is the body of POST /v2/volumes/{id}/snapshots.
type createVolumeSnapshotRequest struct {
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

// createVolumeSnapshot answers POST /v2/volumes/{id}/snapshots: 201 with a
// new volume snapshot (name required), listed by /v2/snapshots too.
func (s *Server) createVolumeSnapshot(volume string, body []byte) reply {
	region, ok := s.volumeRegion(volume)
	if !ok {
		return errNotFound()
	}
	var req createVolumeSnapshotRequest
	if err := decodeObject(body, &req); err != nil {
		return errBadBody()
	}
	if strings.TrimSpace(req.Name) == "" {
		return errUnprocessable("name is required")
	}
	tags := req.Tags
	if tags == nil {
		tags = []string{}
	}
	size := s.volumeSize(volume)
	s.generic.mu.Lock()
	s.generic.nextID++
	n := s.generic.nextID
	s.generic.mu.Unlock()
	s.lockForWrite()
	defer s.mu.Unlock()
	snap := &Snapshot{
		ID: formatUUID(mix64(uint64(s.seed)^uint64(n)^0x5a), mix64(uint64(n))), Name: req.Name,
		CreatedAt: s.stamp(), Regions: []string{region}, MinDiskSize: &size, SizeGigabytes: ptr(0.0),
		ResourceID: volume, ResourceType: "volume", Tags: tags,
	}
	s.volumes = append(s.volumes, snap)
	sort.Slice(s.volumes, func(i, j int) bool { return s.volumes[i].ID < s.volumes[j].ID })
	return jsonReply(http.StatusCreated, snapshotEnvelope{*snap})
}
