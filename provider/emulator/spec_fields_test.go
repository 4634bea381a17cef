package emulator_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiql/apiql/provider/emulator"
)

// dropletRequired is the droplet schema's required list in DigitalOcean's
// OpenAPI spec (components.schemas.droplet.required).
var dropletRequired = []string{"id", "name", "memory", "vcpus", "disk", "locked", "status", "created_at",
	"features", "backup_ids", "next_backup_window", "snapshot_ids", "image", "volume_ids", "size",
	"size_slug", "networks", "region", "tags"}

// sizeRequired is components.schemas.size.required.
var sizeRequired = []string{"available", "disk", "memory", "price_hourly", "price_monthly", "regions",
	"slug", "transfer", "vcpus", "description"}

// TestDropletsCarryTheSpecsRequiredFields: every Droplet has every field the
// spec requires (doctl's droplet list shows Memory, VCPUs, Disk and the
// public address), and its size is the size of its size_slug.
func TestDropletsCarryTheSpecsRequiredFields(t *testing.T) {
	c := start(t, emulator.Options{})
	var raw struct {
		Droplets []map[string]json.RawMessage `json:"droplets"`
		Links    json.RawMessage              `json:"links"`
		Meta     json.RawMessage              `json:"meta"`
	}
	c.getJSON("/v2/droplets?per_page=200", &raw)
	var typed struct {
		Droplets []emulator.Droplet `json:"droplets"`
		Links    json.RawMessage    `json:"links"`
		Meta     json.RawMessage    `json:"meta"`
	}
	c.getJSON("/v2/droplets?per_page=200", &typed)
	var sizes struct {
		Sizes []map[string]json.RawMessage `json:"sizes"`
		Links json.RawMessage              `json:"links"`
		Meta  json.RawMessage              `json:"meta"`
	}
	c.getJSON("/v2/sizes?per_page=200", &sizes)
	if len(raw.Droplets) < 4 || len(sizes.Sizes) < 6 {
		t.Fatalf("got %d droplets and %d sizes", len(raw.Droplets), len(sizes.Sizes))
	}
	for _, s := range sizes.Sizes {
		for _, k := range sizeRequired {
			if _, ok := s[k]; !ok {
				t.Errorf("size %s lacks %q", s["slug"], k)
			}
		}
	}
	backups := 0
	for i, d := range raw.Droplets {
		for _, k := range dropletRequired {
			if _, ok := d[k]; !ok {
				t.Errorf("droplet %s lacks %q", d["id"], k)
			}
		}
		td := typed.Droplets[i]
		if td.Size.Slug != td.SizeSlug || td.Memory != td.Size.Memory || td.VCPUs != td.Size.VCPUs ||
			td.Disk != td.Size.Disk || td.Memory == 0 || td.VCPUs == 0 || td.Disk == 0 || td.Size.PriceMonthly <= 0 {
			t.Errorf("droplet %d: size_slug %s, size %+v, memory %d, vcpus %d, disk %d", td.ID, td.SizeSlug, td.Size, td.Memory, td.VCPUs, td.Disk)
		}
		var public, private int
		for _, n := range td.Networks.V4 {
			switch n.Type {
			case "public":
				public++
			case "private":
				private++
			}
		}
		for _, n := range td.Networks.V4 {
			if ip := net.ParseIP(n.IPAddress); ip == nil || ip.To4() == nil {
				t.Errorf("droplet %d: IPv4 address %q", td.ID, n.IPAddress)
			}
		}
		for _, n := range td.Networks.V6 {
			if ip := net.ParseIP(n.IPAddress); ip == nil || ip.To4() != nil {
				t.Errorf("droplet %d: IPv6 address %q", td.ID, n.IPAddress)
			}
		}
		if public != 1 || private != 1 {
			t.Errorf("droplet %d: %d public and %d private IPv4 interfaces, want 1 each", td.ID, public, private)
		}
		hasBackups := strings.Contains(strings.Join(td.Features, ","), "backups")
		if hasBackups != (td.NextBackupWindow != nil) || (len(td.BackupIDs) > 0 && !hasBackups) {
			t.Errorf("droplet %d: features %v, next_backup_window %v, backup_ids %v", td.ID, td.Features, td.NextBackupWindow, td.BackupIDs)
		}
		if hasBackups {
			backups++
		}
		if td.VpcUUID == "" || td.VolumeIDs == nil || td.DiskInfo == nil {
			t.Errorf("droplet %d: vpc_uuid %q, volume_ids %v, disk_info %v", td.ID, td.VpcUUID, td.VolumeIDs, td.DiskInfo)
		}
	}
	if backups == 0 || backups == len(raw.Droplets) {
		t.Errorf("%d of %d droplets have backups; want some, not all", backups, len(raw.Droplets))
	}
}

// TestSnapshotGetOfAnotherResource: GET /v2/snapshots/{id} of something that
// exists but is not a snapshot answers the spec's not_a_snapshot 400; an id
// of nothing answers 404.
func TestSnapshotGetOfAnotherResource(t *testing.T) {
	c := start(t, emulator.Options{})
	imgs := c.s.Images()
	var backup, public emulator.Image
	for _, img := range imgs {
		if img.Type == "backup" && backup.ID == 0 {
			backup = img
		}
		if img.Public && public.ID == 0 {
			public = img
		}
	}
	var droplets struct {
		Droplets []emulator.Droplet `json:"droplets"`
		Links    json.RawMessage    `json:"links"`
		Meta     json.RawMessage    `json:"meta"`
	}
	c.getJSON("/v2/droplets", &droplets)
	cases := []struct {
		id     string
		status int
	}{
		{fmt.Sprint(backup.ID), http.StatusBadRequest},
		{fmt.Sprint(public.ID), http.StatusBadRequest},
		{fmt.Sprint(droplets.Droplets[0].ID), http.StatusBadRequest},
		{"999999999", http.StatusNotFound},
		{"not-a-uuid", http.StatusNotFound},
	}
	for _, tc := range cases {
		r := c.do(http.MethodGet, "/v2/snapshots/"+tc.id, "")
		if r.status != tc.status {
			t.Errorf("GET /v2/snapshots/%s: status %d, want %d: %s", tc.id, r.status, tc.status, r.body)
			continue
		}
		var body map[string]string
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatal(err)
		}
		want := map[int][2]string{400: {"bad_request", "the resource is not a snapshot"},
			404: {"not_found", "The resource you requested could not be found."}}[tc.status]
		if body["id"] != want[0] || body["message"] != want[1] || body["request_id"] == "" {
			t.Errorf("GET /v2/snapshots/%s: body %s, want id %q and message %q", tc.id, r.body, want[0], want[1])
		}
	}
}

// TestCreatedImageIsStampedNow: without a Clock, a created image's
// created_at is the time of the request, not the dataset's fixed present.
func TestCreatedImageIsStampedNow(t *testing.T) {
	c := start(t, emulator.Options{})
	before := time.Now().UTC().Truncate(time.Second)
	r := c.do(http.MethodPost, "/v2/images", `{"name":"now","url":"https://e.com/a.img","region":"nyc3"}`)
	after := time.Now().UTC()
	if r.status != http.StatusAccepted {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var got struct {
		Image emulator.Image `json:"image"`
	}
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(time.RFC3339, got.Image.CreatedAt)
	if err != nil || at.Before(before) || at.After(after) {
		t.Errorf("created_at %q, want between %s and %s", got.Image.CreatedAt, before.Format(time.RFC3339), after.Format(time.RFC3339))
	}
}
