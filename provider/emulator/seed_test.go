package emulator_test

import (
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/apiql/apiql/provider/emulator"
)

func TestSeedDeterministic(t *testing.T) {
	a := emulator.New(emulator.Options{Images: 200, Seed: 42}).Images()
	b := emulator.New(emulator.Options{Images: 200, Seed: 42, Now: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)}).Images()
	if !reflect.DeepEqual(a, b) {
		t.Error("same (Images, Seed) gave different datasets")
	}
	if c := emulator.New(emulator.Options{Images: 200, Seed: 43}).Images(); reflect.DeepEqual(a, c) {
		t.Error("another seed gave the same dataset")
	}
	if n := len(emulator.New(emulator.Options{}).Images()); n != 60 {
		t.Errorf("default dataset has %d images, want 60", n)
	}
	if n := len(emulator.New(emulator.Options{Images: -5}).Images()); n != 60 {
		t.Errorf("Images -5 gave %d images, want the default 60", n)
	}
}

func TestImagesReturnsACopy(t *testing.T) {
	s := emulator.New(emulator.Options{})
	imgs := s.Images()
	for i := range imgs {
		imgs[i].Name = "changed"
		if len(imgs[i].Regions) > 0 {
			imgs[i].Regions[0] = "changed"
		}
		if imgs[i].MinDiskSize != nil {
			*imgs[i].MinDiskSize = -1
		}
		if imgs[i].Slug != nil {
			*imgs[i].Slug = "changed"
		}
	}
	for _, img := range s.Images() {
		if img.Name == "changed" || (len(img.Regions) > 0 && img.Regions[0] == "changed") ||
			(img.MinDiskSize != nil && *img.MinDiskSize == -1) || (img.Slug != nil && *img.Slug == "changed") {
			t.Fatalf("Images() shares memory with the server: %+v", img)
		}
	}
}

// TestSeedCoverage checks that small datasets hold every kind of image the
// queries and audits need, and that every image is well-formed.
func TestSeedCoverage(t *testing.T) {
	available := map[string]bool{}
	closed := map[string]bool{"nyc2": true, "sfo1": true, "ams2": true}
	for _, r := range []string{"nyc1", "nyc3", "sfo2", "sfo3", "ams3", "sgp1", "lon1", "fra1", "tor1", "blr1", "syd1"} {
		available[r] = true
	}
	validDist := map[string]bool{}
	for _, d := range []string{"Arch Linux", "CentOS", "CoreOS", "Debian", "Fedora", "Fedora Atomic", "FreeBSD",
		"Gentoo", "openSUSE", "RancherOS", "Rocky Linux", "Ubuntu", "Unknown"} {
		validDist[d] = true
	}
	for _, n := range []int{30, 45, 60, 200} {
		for seed := int64(0); seed < 10; seed++ {
			t.Run(fmt.Sprintf("%d/%d", n, seed), func(t *testing.T) {
				imgs := emulator.New(emulator.Options{Images: n, Seed: seed}).Images()
				if len(imgs) != n {
					t.Fatalf("%d images, want %d", len(imgs), n)
				}
				count := map[string]int{}
				slugs := map[string]bool{}
				for i, img := range imgs {
					if img.ID < 100000 || (i > 0 && img.ID <= imgs[i-1].ID) {
						t.Errorf("id %d out of order or below 100000", img.ID)
					}
					if i > 0 && img.CreatedAt < imgs[i-1].CreatedAt {
						t.Errorf("image %d created before image %d", img.ID, imgs[i-1].ID)
					}
					ts, err := time.Parse("2006-01-02T15:04:05Z", img.CreatedAt)
					if err != nil || ts.Year() < 2019 || !ts.Before(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
						t.Errorf("image %d: created_at %q", img.ID, img.CreatedAt)
					}
					if !validDist[img.Distribution] {
						t.Errorf("image %d: distribution %q", img.ID, img.Distribution)
					}
					if img.Regions == nil || img.Name == "" {
						t.Errorf("image %d: regions %v name %q", img.ID, img.Regions, img.Name)
					}
					if img.SizeGigabytes != nil {
						if v := *img.SizeGigabytes; v < 0.5 || v > 80 || math.Abs(v*100-math.Round(v*100)) > 1e-6 {
							t.Errorf("image %d: size_gigabytes %v", img.ID, v)
						}
						if img.MinDiskSize == nil || float64(*img.MinDiskSize) < *img.SizeGigabytes {
							t.Errorf("image %d: min_disk_size %v below size %v", img.ID, img.MinDiskSize, *img.SizeGigabytes)
						}
					}
					if (img.Status == "deleted") != (img.ErrorMessage != "") {
						t.Errorf("image %d: status %q error_message %q", img.ID, img.Status, img.ErrorMessage)
					}
					if img.Public {
						if img.Slug == nil || slugs[*img.Slug] {
							t.Errorf("public image %d: slug missing or repeated", img.ID)
						} else {
							slugs[*img.Slug] = true
						}
						if len(img.Regions) != len(available) || img.Status != "available" || img.MinDiskSize == nil ||
							img.SizeGigabytes == nil || len(img.Tags) != 0 {
							t.Errorf("public image %d: %+v", img.ID, img)
						}
						switch img.Type {
						case "base":
							count["distribution"]++
						case "snapshot":
							count["application"]++
							if img.Distribution != "Ubuntu" {
								t.Errorf("application image %d: distribution %q", img.ID, img.Distribution)
							}
						default:
							t.Errorf("public image %d of type %q", img.ID, img.Type)
						}
						continue
					}
					if img.Slug != nil {
						t.Errorf("private image %d has slug %q", img.ID, *img.Slug)
					}
					count[img.Type]++
					if img.Tags == nil {
						count["untagged"]++
					}
					for _, tag := range img.Tags {
						count["tag:"+tag]++
					}
					for _, r := range img.Regions {
						if closed[r] {
							count["closed region"]++
						} else if !available[r] {
							t.Errorf("image %d: unknown region %q", img.ID, r)
						}
					}
					switch img.Type {
					case "snapshot", "backup":
						if len(img.Regions) < 1 || len(img.Regions) > 3 || img.Status != "available" || img.MinDiskSize == nil {
							t.Errorf("%s %d: %+v", img.Type, img.ID, img)
						}
					case "custom":
						count["custom "+img.Status]++
						if img.Status == "available" && len(img.Regions) == 0 {
							t.Errorf("available custom image %d without regions", img.ID)
						}
						if img.Status != "available" && (len(img.Regions) != 0 || img.SizeGigabytes != nil) {
							t.Errorf("%s custom image %d: %+v", img.Status, img.ID, img)
						}
					default:
						t.Errorf("private image %d of type %q", img.ID, img.Type)
					}
				}
				for _, k := range []string{"distribution", "application"} {
					if count[k] < 2 {
						t.Errorf("%d %s images, want 2 or more", count[k], k)
					}
				}
				for _, k := range []string{"snapshot", "backup", "custom", "custom available", "custom deleted",
					"untagged", "tag:legacy", "tag:prod"} {
					if count[k] == 0 {
						t.Errorf("no %s image: %v", k, count)
					}
				}
				if n >= 60 && count["custom pending"]+count["custom NEW"] == 0 {
					t.Errorf("no pending or NEW custom image: %v", count)
				}
			})
		}
	}
}

func TestSeedTinyAndLarge(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 8} {
		s := emulator.New(emulator.Options{Images: n})
		if got := len(s.Images()); got != n {
			t.Errorf("Images %d: %d images", n, got)
		}
	}
	if testing.Short() {
		t.Skip("building 100,000 images")
	}
	t0 := time.Now()
	s := emulator.New(emulator.Options{Images: 100000, Seed: 1})
	t.Logf("New(Images: 100000) took %v", time.Since(t0))
	imgs := s.Images()
	count := map[string]int{}
	for _, img := range imgs {
		switch {
		case img.Public && img.Type == "base":
			count["distribution"]++
		case img.Public:
			count["application"]++
		default:
			count["private"]++
		}
	}
	if len(imgs) != 100000 || count["distribution"] != 15000 || count["application"] != 10000 {
		t.Errorf("100000 images: %v", count)
	}
}
