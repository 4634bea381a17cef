package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
)

// createDropletRequest is the body of POST /v2/droplets: one name or many.
type createDropletRequest struct {
	Name    string          `json:"name"`
	Names   []string        `json:"names"`
	Region  string          `json:"region"`
	Size    string          `json:"size"`
	Image   json.RawMessage `json:"image"`
	Tags    []string        `json:"tags"`
	Backups bool            `json:"backups"`
	IPv6    bool            `json:"ipv6"`
}

// createDroplets answers POST /v2/droplets: 202 with the new Droplets,
// status "new", as the spec's droplet_create says (size and image required;
// name or names).
func (s *Server) createDroplets(r *http.Request, body []byte) reply {
	var req createDropletRequest
	if err := decodeObject(body, &req); err != nil {
		return errBadBody()
	}
	names := req.Names
	if req.Name != "" {
		names = append([]string{req.Name}, names...)
	}
	var missing []string
	if len(names) == 0 {
		missing = append(missing, "name")
	}
	if strings.TrimSpace(req.Size) == "" {
		missing = append(missing, "size")
	}
	if len(req.Image) == 0 || string(req.Image) == "null" {
		missing = append(missing, "image")
	}
	if len(missing) > 0 {
		verb := "is"
		if len(missing) > 1 {
			verb = "are"
		}
		return errUnprocessable("%s %s required", strings.Join(missing, ", "), verb)
	}
	size, ok := lookupSize(req.Size)
	if !ok {
		return errUnprocessable("size %q is not a size", req.Size)
	}
	region := req.Region
	if region == "" {
		region = availableRegionSlugs[0]
	}
	if reg, ok := lookupRegion(region); !ok || !reg.Available {
		return errUnprocessable("region %q is not an available region", region)
	}
	tags := req.Tags
	if tags == nil {
		tags = []string{}
	}

	s.lockForWrite()
	defer s.mu.Unlock()
	var img *imageRecord
	var imageRef any
	_ = json.Unmarshal(req.Image, &imageRef)
	switch v := imageRef.(type) {
	case float64:
		img = s.image(int(v))
	case string:
		if id, isInt := parseID(v); isInt {
			img = s.image(id)
		} else {
			img = s.bySlug[v]
		}
	}
	if img == nil {
		return errUnprocessable("image %s is not an image", req.Image)
	}
	if img.Status != "available" {
		return errUnprocessable("image %d is %s, not available", img.ID, img.Status)
	}
	var out []Droplet
	for _, name := range names {
		id := 400000000
		if n := len(s.droplets); n > 0 {
			id = s.droplets[n-1].ID + 1
		}
		d := &dropletRecord{
			ID: id, Name: name, Status: "new", imageID: img.ID, image: img.Image.clone(), region: region,
			SizeSlug: size.Slug, Tags: tags, CreatedAt: s.stamp(), backups: req.Backups, ipv6: req.IPv6,
		}
		i := len(s.droplets)
		d.publicV4 = "164.90." + itoa(200+i/250) + "." + itoa(2+i%250)
		d.privateV4 = "10." + itoa(100+regionIndex(region)) + "." + itoa(200+i/250) + "." + itoa(2+i%250)
		s.droplets = append(s.droplets, d)
		s.dropByID[id] = d
		out = append(out, s.droplet(d))
	}
	actions := []any{}
	for range out {
		s.actionID++
		actions = append(actions, map[string]any{"id": s.actionID, "rel": "create", "href": requestBase(r) + "/v2/actions/" + itoa(s.actionID)})
	}
	links := map[string]any{"actions": actions}
	if req.Name != "" && len(names) == 1 {
		return jsonReply(http.StatusAccepted, map[string]any{"droplet": out[0], "links": links})
	}
	return jsonReply(http.StatusAccepted, map[string]any{"droplets": out, "links": links})
}

// requestBase is the scheme and host the request came to.
func requestBase(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// deleteDroplet answers DELETE /v2/droplets/{id}: 204, and what was
// attached to it is detached.
func (s *Server) deleteDroplet(idText string) reply {
	id, ok := parseID(idText)
	if !ok {
		return errNotFound()
	}
	s.lockForWrite()
	if s.dropByID[id] == nil {
		s.mu.Unlock()
		return errNotFound()
	}
	s.removeDroplets(func(d *dropletRecord) bool { return d.ID == id })
	s.mu.Unlock()
	s.detachDroplets(map[int]bool{id: true})
	return reply{status: http.StatusNoContent}
}

// deleteDropletsByTag answers DELETE /v2/droplets?tag_name=: 204 (also when
// no Droplet carries the tag); tag_name is required.
func (s *Server) deleteDropletsByTag(r *http.Request) reply {
	tag := r.URL.Query().Get("tag_name")
	if tag == "" {
		return errBadQuery("tag_name is required: DELETE /v2/droplets deletes the Droplets carrying a tag")
	}
	s.lockForWrite()
	gone := s.removeDroplets(func(d *dropletRecord) bool { return d.hasTag(tag) })
	s.mu.Unlock()
	s.detachDroplets(gone)
	return reply{status: http.StatusNoContent}
}

// removeDroplets deletes the Droplets del accepts and returns their ids.
// Their snapshots and backups stay (a snapshot's resource_id then names a
// Droplet since destroyed). Call with mu held for writing.
func (s *Server) removeDroplets(del func(*dropletRecord) bool) map[int]bool {
	gone := map[int]bool{}
	kept := s.droplets[:0]
	for _, d := range s.droplets {
		if del(d) {
			gone[d.ID] = true
			delete(s.dropByID, d.ID)
			continue
		}
		kept = append(kept, d)
	}
	clear(s.droplets[len(kept):])
	s.droplets = kept
	return gone
}

// detachDroplets removes deleted Droplets from the account's volumes,
// reserved IPs, load balancers and firewalls, as the API does.
func (s *Server) detachDroplets(gone map[int]bool) {
	if len(gone) == 0 {
		return
	}
	s.generic.mu.Lock()
	defer s.generic.mu.Unlock()
	for _, path := range []string{volumesPath, loadBalancersPath, firewallsPath} {
		c := s.generic.colls[path]
		if c == nil {
			continue
		}
		for _, it := range c.items {
			ids, _ := it["droplet_ids"].([]any)
			kept := []any{}
			for _, v := range ids {
				if n, ok := parseID(scalarText(v)); !ok || !gone[n] {
					kept = append(kept, v)
				}
			}
			it["droplet_ids"] = kept
		}
	}
	if c := s.generic.colls[reservedIPsPath]; c != nil {
		for _, it := range c.items {
			if d, ok := it["droplet"].(map[string]any); ok {
				if n, ok := parseID(scalarText(d["id"])); ok && gone[n] {
					it["droplet"] = nil
				}
			}
		}
	}
}
