package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/apiql/apiql/provider/emulator"
)

// TestCreateAndDeleteDroplets: POST /v2/droplets makes Droplets (status new,
// created now, the size's memory, the image asked for), single or many;
// DELETE by id or by tag removes them and detaches their volumes.
func TestCreateAndDeleteDroplets(t *testing.T) {
	c := startWith(t)
	now := time.Now().UTC().Truncate(time.Second)

	requireError(t, c.do(http.MethodPost, "/v2/droplets", `{"name":"x"}`), 422, "unprocessable_entity", "size, image are required")
	requireError(t, c.do(http.MethodPost, "/v2/droplets", `{"name":"x","size":"nope","image":"ubuntu-24-04-x64"}`), 422, "unprocessable_entity", "size")
	requireError(t, c.do(http.MethodPost, "/v2/droplets", `{"name":"x","size":"s-1vcpu-1gb","image":"no-such-image"}`), 422, "unprocessable_entity", "image")
	requireError(t, c.do(http.MethodPost, "/v2/droplets", `[]`), 400, "bad_request", "")

	r := c.do(http.MethodPost, "/v2/droplets", `{"name":"new-01","region":"fra1","size":"s-2vcpu-4gb","image":"ubuntu-24-04-x64","tags":["tmp"]}`)
	if r.status != http.StatusAccepted {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var one struct {
		Droplet emulator.Droplet `json:"droplet"`
		Links   json.RawMessage  `json:"links"`
	}
	decodeStrict(t, r.body, &one)
	d := one.Droplet
	at, _ := time.Parse(time.RFC3339, d.CreatedAt)
	if d.Name != "new-01" || d.Status != "new" || d.Region.Slug != "fra1" || d.Memory != 4096 || d.Image.Slug == nil ||
		*d.Image.Slug != "ubuntu-24-04-x64" || at.Before(now) || len(d.Tags) != 1 {
		t.Errorf("created %+v", d)
	}
	r = c.do(http.MethodPost, "/v2/droplets", `{"names":["tmp-a","tmp-b"],"size":"s-1vcpu-1gb","image":"ubuntu-24-04-x64","tags":["tmp"]}`)
	var many struct {
		Droplets []emulator.Droplet `json:"droplets"`
		Links    json.RawMessage    `json:"links"`
	}
	decodeStrict(t, r.body, &many)
	if r.status != http.StatusAccepted || len(many.Droplets) != 2 || many.Droplets[1].ID <= many.Droplets[0].ID {
		t.Fatalf("create many: %d %s", r.status, r.body)
	}
	var got struct {
		Droplet emulator.Droplet `json:"droplet"`
	}
	c.getJSON(fmt.Sprintf("/v2/droplets/%d", d.ID), &got)
	if got.Droplet.Name != "new-01" {
		t.Errorf("get after create: %+v", got.Droplet)
	}

	// Deleting an existing Droplet detaches its volumes.
	var list struct {
		Droplets []emulator.Droplet `json:"droplets"`
		Links    json.RawMessage    `json:"links"`
		Meta     json.RawMessage    `json:"meta"`
	}
	c.getJSON("/v2/droplets?per_page=200", &list)
	var victim emulator.Droplet
	for _, x := range list.Droplets {
		if len(x.VolumeIDs) > 0 {
			victim = x
		}
	}
	if victim.ID == 0 {
		t.Fatal("no droplet with volumes")
	}
	if r := c.do(http.MethodDelete, fmt.Sprintf("/v2/droplets/%d", victim.ID), ""); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	requireError(t, c.do(http.MethodGet, fmt.Sprintf("/v2/droplets/%d", victim.ID), ""), 404, "not_found", "")
	requireError(t, c.do(http.MethodDelete, fmt.Sprintf("/v2/droplets/%d", victim.ID), ""), 404, "not_found", "")
	var vol struct {
		Volume struct {
			DropletIDs []int `json:"droplet_ids"`
		} `json:"volume"`
	}
	if err := json.Unmarshal(c.getJSONRaw("/v2/volumes/"+victim.VolumeIDs[0]), &vol); err != nil {
		t.Fatal(err)
	}
	for _, id := range vol.Volume.DropletIDs {
		if id == victim.ID {
			t.Errorf("volume %s still attached to deleted droplet %d", victim.VolumeIDs[0], id)
		}
	}

	// By tag: the three tmp Droplets go, the rest stay.
	requireError(t, c.do(http.MethodDelete, "/v2/droplets", ""), 400, "bad_request", "tag_name")
	if r := c.do(http.MethodDelete, "/v2/droplets?tag_name=tmp", ""); r.status != http.StatusNoContent {
		t.Fatalf("delete by tag: %d %s", r.status, r.body)
	}
	var after struct {
		Droplets []emulator.Droplet `json:"droplets"`
		Links    json.RawMessage    `json:"links"`
		Meta     json.RawMessage    `json:"meta"`
	}
	c.getJSON("/v2/droplets?per_page=200", &after)
	if len(after.Droplets) != len(list.Droplets)-4 {
		t.Errorf("%d droplets after deleting 4 of %d", len(after.Droplets), len(list.Droplets))
	}
}
