package emulator_test

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider/emulator"
)

func TestRegions(t *testing.T) {
	c := start(t, emulator.Options{})
	var page regionList
	r := c.getJSON("/v2/regions", &page)
	wantSlugs := []string{"nyc1", "nyc2", "nyc3", "sfo1", "sfo2", "sfo3", "ams2", "ams3", "sgp1", "lon1", "fra1", "tor1", "blr1", "syd1"}
	closed := map[string]bool{"nyc2": true, "sfo1": true, "ams2": true}
	var slugs []string
	for _, reg := range page.Regions {
		slugs = append(slugs, reg.Slug)
		if reg.Available == closed[reg.Slug] {
			t.Errorf("%s: available %v", reg.Slug, reg.Available)
		}
		if reg.Name == "" || reg.Features == nil || reg.Sizes == nil {
			t.Errorf("%s: incomplete %+v", reg.Slug, reg)
		}
		if reg.Available && len(reg.Sizes) == 0 {
			t.Errorf("%s: available without sizes", reg.Slug)
		}
	}
	if !reflect.DeepEqual(slugs, wantSlugs) {
		t.Errorf("slugs %v, want %v", slugs, wantSlugs)
	}
	if page.Meta.Total != 14 || !strings.Contains(string(r.body), `"links":{"pages":{}}`) {
		t.Errorf("meta %+v, body %s", page.Meta, truncate(r.body))
	}

	var p3 regionList
	c.getJSON("/v2/regions?per_page=5&page=3", &p3)
	if len(p3.Regions) != 4 || p3.Regions[0].Slug != "fra1" {
		t.Errorf("page 3 of 5: %+v", p3.Regions)
	}
	want := map[string]string{"first": c.ts.URL + "/v2/regions?page=1&per_page=5", "prev": c.ts.URL + "/v2/regions?page=2&per_page=5"}
	if !reflect.DeepEqual(p3.Links.Pages, want) {
		t.Errorf("links %v, want %v", p3.Links.Pages, want)
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestSnapshots(t *testing.T) {
	c := start(t, emulator.Options{Images: 120, Seed: 3})
	private := c.allImages("private=true&per_page=200")
	byID := map[int]emulator.Image{}
	var wantIDs []string
	for _, img := range private {
		byID[img.ID] = img
		if img.Type == "snapshot" {
			wantIDs = append(wantIDs, strconv.Itoa(img.ID))
		}
	}

	droplet := c.allSnapshots("resource_type=droplet&per_page=7")
	var gotIDs []string
	for _, s := range droplet {
		gotIDs = append(gotIDs, s.ID)
		id, err := strconv.Atoi(s.ID)
		img, ok := byID[id]
		if err != nil || !ok {
			t.Errorf("droplet snapshot %q is not a private image", s.ID)
			continue
		}
		want := emulator.Snapshot{ID: s.ID, Name: img.Name, CreatedAt: img.CreatedAt, Regions: img.Regions,
			MinDiskSize: img.MinDiskSize, SizeGigabytes: img.SizeGigabytes, ResourceID: s.ResourceID,
			ResourceType: "droplet", Tags: img.Tags}
		if !reflect.DeepEqual(s, want) {
			t.Errorf("snapshot\n got %+v\nwant %+v", s, want)
		}
		if _, err := strconv.Atoi(s.ResourceID); err != nil {
			t.Errorf("resource_id %q is not a droplet id", s.ResourceID)
		}
	}
	if len(wantIDs) == 0 || !reflect.DeepEqual(gotIDs, wantIDs) {
		t.Errorf("droplet snapshots %v, want the private snapshot images %v", gotIDs, wantIDs)
	}

	volume := c.allSnapshots("resource_type=volume")
	if len(volume) < 3 {
		t.Errorf("%d volume snapshots, want a few", len(volume))
	}
	for i, s := range volume {
		if !uuidRE.MatchString(s.ID) || !uuidRE.MatchString(s.ResourceID) || s.ResourceType != "volume" ||
			len(s.Regions) != 1 || s.MinDiskSize == nil || s.SizeGigabytes == nil {
			t.Errorf("volume snapshot %+v", s)
		}
		if i > 0 && volume[i-1].ID >= s.ID {
			t.Errorf("volume snapshots out of order")
		}
	}

	var first snapshotList
	c.getJSON("/v2/snapshots", &first)
	if first.Meta.Total != len(droplet)+len(volume) {
		t.Errorf("meta.total %d, want %d", first.Meta.Total, len(droplet)+len(volume))
	}
	all := c.allSnapshots("per_page=11")
	if !reflect.DeepEqual(all, append(append([]emulator.Snapshot{}, droplet...), volume...)) {
		t.Error("the unfiltered list is not droplet snapshots then volume snapshots")
	}
	var p2 snapshotList
	c.getJSON("/v2/snapshots?resource_type=droplet&per_page=2&page=2", &p2)
	if want := c.ts.URL + "/v2/snapshots?page=3&per_page=2&resource_type=droplet"; p2.Links.Pages["next"] != want {
		t.Errorf("next %q, want %q", p2.Links.Pages["next"], want)
	}
	requireError(t, c.do("GET", "/v2/snapshots?resource_type=image", ""), 400, "bad_request", "")

	// Get one of each kind.
	for _, want := range []emulator.Snapshot{droplet[0], volume[0]} {
		var got struct {
			Snapshot emulator.Snapshot `json:"snapshot"`
		}
		c.getJSON("/v2/snapshots/"+want.ID, &got)
		if !reflect.DeepEqual(got.Snapshot, want) {
			t.Errorf("GET snapshot %s: %+v", want.ID, got.Snapshot)
		}
	}
	backup := filter(private, func(i emulator.Image) bool { return i.Type == "backup" })[0]
	custom := filter(private, func(i emulator.Image) bool { return i.Type == "custom" })[0]
	public := filter(c.s.Images(), func(i emulator.Image) bool { return i.Public && i.Type == "snapshot" })[0]
	// An image that is not a snapshot is the spec's not_a_snapshot 400.
	for _, id := range []int{backup.ID, custom.ID, public.ID} {
		requireError(t, c.do("GET", fmt.Sprintf("/v2/snapshots/%d", id), ""), 400, "bad_request", "the resource is not a snapshot")
		requireError(t, c.do("DELETE", fmt.Sprintf("/v2/snapshots/%d", id), ""), 400, "bad_request", "the resource is not a snapshot")
	}
	requireError(t, c.do("GET", "/v2/snapshots/1", ""), 404, "not_found", "")
	requireError(t, c.do("DELETE", "/v2/snapshots/1", ""), 404, "not_found", "")

	// Deleting a droplet snapshot deletes its image, and the droplets forget it.
	var owner emulator.Snapshot
	for _, s := range droplet {
		for _, d := range c.allDroplets("") {
			if strconv.Itoa(d.ID) == s.ResourceID {
				owner = s
			}
		}
	}
	if owner.ID == "" {
		t.Fatal("no droplet snapshot belongs to an existing droplet")
	}
	r := c.do("DELETE", "/v2/snapshots/"+owner.ID, "")
	if r.status != http.StatusNoContent || len(r.body) != 0 || r.header.Get("Ratelimit-Remaining") == "" {
		t.Fatalf("DELETE snapshot: %d %q", r.status, r.body)
	}
	requireError(t, c.do("GET", "/v2/images/"+owner.ID, ""), 404, "not_found", "")
	requireError(t, c.do("GET", "/v2/snapshots/"+owner.ID, ""), 404, "not_found", "")
	var d struct {
		Droplet emulator.Droplet `json:"droplet"`
	}
	c.getJSON("/v2/droplets/"+owner.ResourceID, &d)
	for _, id := range d.Droplet.SnapshotIDs {
		if strconv.Itoa(id) == owner.ID {
			t.Errorf("droplet %d still lists deleted snapshot %s", d.Droplet.ID, owner.ID)
		}
	}

	// Deleting a volume snapshot.
	if r := c.do("DELETE", "/v2/snapshots/"+volume[0].ID, ""); r.status != http.StatusNoContent {
		t.Errorf("DELETE volume snapshot: %d", r.status)
	}
	requireError(t, c.do("GET", "/v2/snapshots/"+volume[0].ID, ""), 404, "not_found", "")
	if n := len(c.allSnapshots("resource_type=volume")); n != len(volume)-1 {
		t.Errorf("%d volume snapshots after a delete, want %d", n, len(volume)-1)
	}
	// Deleting the image of a snapshot removes the snapshot.
	if r := c.do("DELETE", "/v2/images/"+droplet[1].ID, ""); r.status != http.StatusNoContent {
		t.Fatalf("DELETE image: %d", r.status)
	}
	requireError(t, c.do("GET", "/v2/snapshots/"+droplet[1].ID, ""), 404, "not_found", "")
}

func TestDroplets(t *testing.T) {
	for _, n := range []int{30, 60, 1000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) { testDroplets(t, n) })
	}
}

func testDroplets(t *testing.T, n int) {
	c := start(t, emulator.Options{Images: n, Seed: int64(n)})
	images := map[int]emulator.Image{}
	for _, img := range c.s.Images() {
		images[img.ID] = img
	}
	snapshotOwner := map[string]string{}
	for _, s := range c.allSnapshots("resource_type=droplet&per_page=200") {
		snapshotOwner[s.ID] = s.ResourceID
	}
	var regions regionList
	c.getJSON("/v2/regions", &regions)

	droplets := c.allDroplets("per_page=3")
	if len(droplets) < 4 {
		t.Fatalf("%d droplets, want 4 or more", len(droplets))
	}
	used := map[int]bool{}
	names := map[string]bool{}
	var usesPublic, usesPrivate, withSnapshots, withBackups bool
	for _, d := range droplets {
		if names[d.Name] {
			t.Errorf("droplet name %q repeated", d.Name)
		}
		names[d.Name] = true
		img, ok := images[d.Image.ID]
		if !ok || !reflect.DeepEqual(d.Image, img) {
			t.Errorf("droplet %d: image %+v is not the real image %+v", d.ID, d.Image, img)
		}
		var got struct {
			Image emulator.Image `json:"image"`
		}
		c.getJSON(fmt.Sprintf("/v2/images/%d", d.Image.ID), &got)
		if !reflect.DeepEqual(got.Image, d.Image) {
			t.Errorf("droplet %d: image differs from GET /v2/images/%d", d.ID, d.Image.ID)
		}
		used[d.Image.ID] = true
		if img.Public {
			usesPublic = true
			if img.Type != "base" {
				t.Errorf("droplet %d uses public image %d of type %s", d.ID, img.ID, img.Type)
			}
		} else {
			usesPrivate = true
			if img.Status != "available" || (img.Type != "snapshot" && img.Type != "custom") {
				t.Errorf("droplet %d uses image %d: %s %s", d.ID, img.ID, img.Type, img.Status)
			}
		}
		found := false
		for _, reg := range regions.Regions {
			if reflect.DeepEqual(reg, d.Region) && reg.Available {
				found = true
			}
		}
		if !found {
			t.Errorf("droplet %d: region %+v is not an available region", d.ID, d.Region)
		}
		if d.Status != "active" && d.Status != "off" {
			t.Errorf("droplet %d: status %q", d.ID, d.Status)
		}
		if d.SnapshotIDs == nil || d.BackupIDs == nil || d.Tags == nil || d.SizeSlug == "" || d.CreatedAt == "" {
			t.Errorf("droplet %d: incomplete %+v", d.ID, d)
		}
		for _, id := range d.SnapshotIDs {
			withSnapshots = true
			if img := images[id]; img.Type != "snapshot" || img.Public {
				t.Errorf("droplet %d: snapshot id %d is a %s image", d.ID, id, img.Type)
			}
			if snapshotOwner[strconv.Itoa(id)] != strconv.Itoa(d.ID) {
				t.Errorf("droplet %d lists snapshot %d whose resource_id is %q", d.ID, id, snapshotOwner[strconv.Itoa(id)])
			}
			if images[id].CreatedAt < d.CreatedAt {
				t.Errorf("droplet %d (created %s) has snapshot %d created %s", d.ID, d.CreatedAt, id, images[id].CreatedAt)
			}
		}
		for _, id := range d.BackupIDs {
			withBackups = true
			if img := images[id]; img.Type != "backup" || img.Public {
				t.Errorf("droplet %d: backup id %d is a %s image", d.ID, id, img.Type)
			}
		}
		var one struct {
			Droplet emulator.Droplet `json:"droplet"`
		}
		c.getJSON(fmt.Sprintf("/v2/droplets/%d", d.ID), &one)
		if !reflect.DeepEqual(one.Droplet, d) {
			t.Errorf("GET droplet %d differs from the list", d.ID)
		}
	}
	if !usesPublic || !usesPrivate || !withSnapshots {
		t.Errorf("uses public %v, private %v, has snapshots %v, backups %v", usesPublic, usesPrivate, withSnapshots, withBackups)
	}
	// Each snapshot owned by an existing droplet is listed by it.
	listed := map[string]bool{}
	for _, d := range droplets {
		for _, id := range d.SnapshotIDs {
			listed[strconv.Itoa(id)] = true
		}
	}
	for sid, owner := range snapshotOwner {
		for _, d := range droplets {
			if strconv.Itoa(d.ID) == owner && !listed[sid] {
				t.Errorf("snapshot %s of droplet %s not in its snapshot_ids", sid, owner)
			}
		}
	}
	// Plenty of private images stay unused.
	private, unused := 0, 0
	for _, img := range images {
		if !img.Public {
			private++
			if !used[img.ID] {
				unused++
			}
		}
	}
	if unused*4 < private*3 {
		t.Errorf("%d of %d private images unused, want most", unused, private)
	}

	// Filters.
	name := droplets[len(droplets)-1].Name
	var byName dropletList
	c.getJSON("/v2/droplets?name="+name, &byName)
	if len(byName.Droplets) != 1 || byName.Droplets[0].Name != name {
		t.Errorf("name=%s: %d droplets", name, len(byName.Droplets))
	}
	c.getJSON("/v2/droplets?name="+name[:len(name)-1], &byName)
	if len(byName.Droplets) != 0 {
		t.Errorf("name prefix matched %d droplets", len(byName.Droplets))
	}
	tagged := c.allDroplets("tag_name=prod&per_page=1")
	want := 0
	for _, d := range droplets {
		if hasTag(d.Tags, "prod") {
			want++
		}
	}
	if len(tagged) != want {
		t.Errorf("tag_name=prod: %d droplets, want %d", len(tagged), want)
	}
	if want > 1 {
		var p dropletList
		c.getJSON("/v2/droplets?tag_name=prod&per_page=1", &p)
		if w := c.ts.URL + "/v2/droplets?page=2&per_page=1&tag_name=prod"; p.Links.Pages["next"] != w {
			t.Errorf("next %q, want %q", p.Links.Pages["next"], w)
		}
	}
	requireError(t, c.do("GET", "/v2/droplets/1", ""), 404, "not_found", "")
}

func TestDropletKeepsDeletedImage(t *testing.T) {
	c := start(t, emulator.Options{})
	for _, d := range c.allDroplets("") {
		if d.Image.Public || d.Image.Type != "snapshot" {
			continue
		}
		if r := c.do("DELETE", fmt.Sprintf("/v2/images/%d", d.Image.ID), ""); r.status != 204 {
			t.Fatalf("delete: %d", r.status)
		}
		var got struct {
			Droplet emulator.Droplet `json:"droplet"`
		}
		c.getJSON(fmt.Sprintf("/v2/droplets/%d", d.ID), &got)
		if !reflect.DeepEqual(got.Droplet.Image, d.Image) {
			t.Errorf("droplet image after delete %+v", got.Droplet.Image)
		}
		return
	}
	t.Fatal("no droplet uses a private snapshot")
}
