package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// listImages answers GET /v2/images.
func (s *Server) listImages(r *http.Request) reply {
	q := r.URL.Query()
	pg := newPager(q)
	family := q.Get("type")
	if family != "" && family != "distribution" && family != "application" {
		return errBadQuery("invalid type %q: want distribution or application", family)
	}
	privateOnly := false
	if v := q.Get("private"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errBadQuery("invalid private %q: want true or false", v)
		}
		privateOnly = b
	}
	tag := q.Get("tag_name")

	s.mu.RLock()
	var page []Image
	total := 0
	if family == "" && !privateOnly && tag == "" {
		total = len(s.images)
		lo, hi := pg.window(total)
		page = make([]Image, 0, hi-lo)
		for _, rec := range s.images[lo:hi] {
			page = append(page, rec.Image)
		}
	} else {
		key := "images\x00" + family + "\x00" + strconv.FormatBool(privateOnly) + "\x00" + tag
		matches := s.matches(key, func(rec *imageRecord) bool {
			return (family == "" || rec.family == family) && (!privateOnly || !rec.Public) && (tag == "" || rec.hasTag(tag))
		})
		total = len(matches)
		lo, hi := pg.window(total)
		page = make([]Image, 0, hi-lo)
		for _, i := range matches[lo:hi] {
			page = append(page, s.images[i].Image)
		}
	}
	s.mu.RUnlock()

	return listReply("images", page, pg.links(r, filterValues(q, "type", "private", "tag_name"), total), total)
}

// imageEnvelope is the body of a single-image answer.
type imageEnvelope struct {
	Image Image `json:"image"`
}

// getImage answers GET /v2/images/{id}: an integer id (any image) or the slug
// of a public image.
func (s *Server) getImage(idOrSlug string) reply {
	s.mu.RLock()
	var rec *imageRecord
	if id, ok := parseID(idOrSlug); ok {
		rec = s.image(id)
	} else {
		rec = s.bySlug[idOrSlug]
	}
	var img Image
	if rec != nil {
		img = rec.Image
	}
	s.mu.RUnlock()
	if rec == nil {
		return errNotFound()
	}
	return jsonReply(http.StatusOK, imageEnvelope{img})
}

// createImageRequest is the body of POST /v2/images.
type createImageRequest struct {
	Name         string   `json:"name"`
	URL          string   `json:"url"`
	Region       string   `json:"region"`
	Distribution string   `json:"distribution"`
	Description  string   `json:"description"`
	Tags         []string `json:"tags"`
}

// createImage answers POST /v2/images: 202 with a new custom image.
func (s *Server) createImage(body []byte) reply {
	var req createImageRequest
	if err := decodeObject(body, &req); err != nil {
		return errBadBody()
	}
	var missing []string
	for _, f := range []struct{ name, value string }{{"name", req.Name}, {"url", req.URL}, {"region", req.Region}} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		verb := "is"
		if len(missing) > 1 {
			verb = "are"
		}
		return errUnprocessable("%s %s required", strings.Join(missing, ", "), verb)
	}
	if u, err := url.Parse(req.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errUnprocessable("url %q is not an http or https URL", req.URL)
	}
	if reg, ok := lookupRegion(req.Region); !ok || !reg.Available {
		return errUnprocessable("region %q is not an available region", req.Region)
	}
	tags := req.Tags
	if tags == nil {
		tags = []string{}
	}

	s.lockForWrite()
	rec := &imageRecord{Image: Image{
		ID:           s.nextID,
		Name:         req.Name,
		Type:         "custom",
		Distribution: normalizeDistribution(req.Distribution),
		Public:       false,
		Regions:      []string{},
		CreatedAt:    s.stamp(),
		Description:  req.Description,
		Tags:         tags,
		Status:       "NEW",
	}}
	s.nextID++
	s.images = append(s.images, rec)
	img := rec.Image
	s.mu.Unlock()

	return jsonReply(http.StatusAccepted, imageEnvelope{img})
}

// updateImageRequest is the body of PUT /v2/images/{id}; absent fields are
// left unchanged.
type updateImageRequest struct {
	Name         *string `json:"name"`
	Description  *string `json:"description"`
	Distribution *string `json:"distribution"`
}

// updateImage answers PUT /v2/images/{id}.
func (s *Server) updateImage(idText string, body []byte) reply {
	id, ok := parseID(idText)
	if !ok {
		return errNotFound()
	}
	var req updateImageRequest
	if err := decodeObject(body, &req); err != nil {
		return errBadBody()
	}
	if req.Name != nil && strings.TrimSpace(*req.Name) == "" {
		return errUnprocessable("name must not be blank")
	}

	s.lockForWrite()
	defer s.mu.Unlock()
	rec := s.image(id)
	if rec == nil {
		return errNotFound()
	}
	if rec.Public {
		return errUnprocessable("public images cannot be updated")
	}
	if req.Name != nil {
		rec.Name = *req.Name
	}
	if rec.Type == "custom" {
		if req.Description != nil {
			rec.Description = *req.Description
		}
		if req.Distribution != nil {
			rec.Distribution = normalizeDistribution(*req.Distribution)
		}
	}
	return jsonReply(http.StatusOK, imageEnvelope{rec.Image})
}

// deleteImage answers DELETE /v2/images/{id}: snapshots and custom images only.
func (s *Server) deleteImage(idText string) reply {
	id, ok := parseID(idText)
	if !ok {
		return errNotFound()
	}
	s.lockForWrite()
	defer s.mu.Unlock()
	rec := s.image(id)
	switch {
	case rec == nil:
		return errNotFound()
	case rec.Public:
		return errUnprocessable("public images cannot be deleted")
	case rec.Type != "snapshot" && rec.Type != "custom":
		return errUnprocessable("images of type %s cannot be deleted; only snapshots and custom images can", rec.Type)
	}
	s.removeImage(id)
	return reply{status: http.StatusNoContent}
}

// imageIndex returns the position of the image with that id in s.images,
// or -1. Call with mu held.
func (s *Server) imageIndex(id int) int {
	i := sort.Search(len(s.images), func(i int) bool { return s.images[i].ID >= id })
	if i == len(s.images) || s.images[i].ID != id {
		return -1
	}
	return i
}

// image returns the image with that id, or nil. Call with mu held.
func (s *Server) image(id int) *imageRecord {
	if i := s.imageIndex(id); i >= 0 {
		return s.images[i]
	}
	return nil
}

// removeImage deletes the image with that id. Call with mu held for writing.
func (s *Server) removeImage(id int) {
	i := s.imageIndex(id)
	if i < 0 {
		return
	}
	copy(s.images[i:], s.images[i+1:])
	s.images[len(s.images)-1] = nil
	s.images = s.images[:len(s.images)-1]
}

// imageActionRequest is the body of POST /v2/images/{id}/actions.
type imageActionRequest struct {
	Type   string `json:"type"`
	Region string `json:"region"`
}

// actionEnvelope is the body of an action answer.
type actionEnvelope struct {
	Action Action `json:"action"`
}

// imageAction answers POST /v2/images/{id}/actions: transfer or convert,
// completed at once.
func (s *Server) imageAction(idText string, body []byte) reply {
	id, ok := parseID(idText)
	if !ok {
		return errNotFound()
	}
	var req imageActionRequest
	if err := decodeObject(body, &req); err != nil {
		return errBadBody()
	}

	s.lockForWrite()
	defer s.mu.Unlock()
	rec := s.image(id)
	if rec == nil {
		return errNotFound()
	}
	now := s.stamp()
	act := Action{Status: "completed", Type: req.Type, StartedAt: now, CompletedAt: &now,
		ResourceID: id, ResourceType: "image"}
	switch req.Type {
	case "transfer":
		if req.Region == "" {
			return errUnprocessable("region is required")
		}
		if reg, ok := lookupRegion(req.Region); !ok || !reg.Available {
			return errUnprocessable("region %q is not an available region", req.Region)
		}
		if rec.Public {
			return errUnprocessable("public images cannot be transferred")
		}
		if rec.Status != "available" {
			return errUnprocessable("image is %s, not available", rec.Status)
		}
		if !contains(rec.Regions, req.Region) {
			regions := make([]string, 0, len(rec.Regions)+1)
			rec.Regions = append(append(regions, rec.Regions...), req.Region)
		}
		region := req.Region
		act.RegionSlug = &region
	case "convert":
		if rec.Type != "backup" {
			return errUnprocessable("only backups can be converted to snapshots")
		}
		rec.Type = "snapshot"
		if len(rec.Regions) > 0 {
			region := rec.Regions[0]
			act.RegionSlug = &region
		}
	default:
		return errUnprocessable("type must be transfer or convert")
	}
	s.actionID++
	act.ID = s.actionID
	return jsonReply(http.StatusCreated, actionEnvelope{act})
}

// parseID reads a path segment as a positive integer id.
func parseID(s string) (int, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

// decodeObject unmarshals a request body that must be one JSON object.
func decodeObject(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return errNotObject
	}
	return json.Unmarshal(body, v)
}

var errNotObject = errors.New("request body is not a JSON object")

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
