package emulator

// Image is the API's image object, field for field and in the contract's
// order. Nullable fields are pointers (slug, min_disk_size, size_gigabytes) or
// a nil slice (tags), and marshal as JSON null; regions is never null.
type Image struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	// Type is base, snapshot, backup, custom or admin.
	Type string `json:"type"`
	// Distribution is one of the contract's distribution names, or Unknown.
	Distribution string `json:"distribution"`
	// Slug is set for public images only.
	Slug   *string `json:"slug"`
	Public bool    `json:"public"`
	// Regions are region slugs, e.g. ["nyc3","sfo3"].
	Regions []string `json:"regions"`
	// CreatedAt is ISO8601 in UTC with second precision, e.g. 2020-05-15T05:47:50Z.
	CreatedAt     string   `json:"created_at"`
	MinDiskSize   *int     `json:"min_disk_size"`
	SizeGigabytes *float64 `json:"size_gigabytes"`
	Description   string   `json:"description"`
	Tags          []string `json:"tags"`
	// Status is NEW, available, pending, deleted or retired.
	Status       string `json:"status"`
	ErrorMessage string `json:"error_message"`
}

// clone returns a deep copy of img, sharing nothing mutable with it.
func (img Image) clone() Image {
	c := img
	if img.Slug != nil {
		v := *img.Slug
		c.Slug = &v
	}
	if img.MinDiskSize != nil {
		v := *img.MinDiskSize
		c.MinDiskSize = &v
	}
	if img.SizeGigabytes != nil {
		v := *img.SizeGigabytes
		c.SizeGigabytes = &v
	}
	c.Regions = append([]string{}, img.Regions...)
	if img.Tags != nil {
		c.Tags = append([]string{}, img.Tags...)
	}
	return c
}

// Region is the API's region object, as GET /v2/regions returns it.
type Region struct {
	Name      string   `json:"name"`
	Slug      string   `json:"slug"`
	Features  []string `json:"features"`
	Available bool     `json:"available"`
	Sizes     []string `json:"sizes"`
}

// Snapshot is the API's snapshot object, as GET /v2/snapshots returns it. A
// droplet snapshot's ID is the id of an image of type snapshot, as a string.
type Snapshot struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	CreatedAt     string   `json:"created_at"`
	Regions       []string `json:"regions"`
	MinDiskSize   *int     `json:"min_disk_size"`
	SizeGigabytes *float64 `json:"size_gigabytes"`
	// ResourceID is the id of the Droplet or volume the snapshot was taken from.
	ResourceID string `json:"resource_id"`
	// ResourceType is droplet or volume.
	ResourceType string   `json:"resource_type"`
	Tags         []string `json:"tags"`
}

// Droplet is the API's droplet object, with every field of the spec's
// droplet schema in its order.
type Droplet struct {
	ID int `json:"id"`
	// Name is unique among the seeded Droplets.
	Name string `json:"name"`
	// Memory, VCPUs and Disk are the size's (megabytes, count, gigabytes).
	Memory   int        `json:"memory"`
	VCPUs    int        `json:"vcpus"`
	Disk     int        `json:"disk"`
	DiskInfo []DiskInfo `json:"disk_info"`
	Locked   bool       `json:"locked"`
	// Status is active or off.
	Status string `json:"status"`
	// Kernel is always null: DigitalOcean manages kernels itself now.
	Kernel    *struct{} `json:"kernel"`
	CreatedAt string    `json:"created_at"`
	Features  []string  `json:"features"`
	// BackupIDs are ids of private images of type backup taken from the Droplet.
	BackupIDs []int `json:"backup_ids"`
	// NextBackupWindow is set when backups are enabled (features holds "backups").
	NextBackupWindow *BackupWindow `json:"next_backup_window"`
	// SnapshotIDs are ids of private images of type snapshot taken from the Droplet.
	SnapshotIDs []int `json:"snapshot_ids"`
	// Image is the full object of the image the Droplet was created from.
	Image Image `json:"image"`
	// VolumeIDs are the ids of the volumes attached to the Droplet.
	VolumeIDs []string `json:"volume_ids"`
	Size      Size     `json:"size"`
	SizeSlug  string   `json:"size_slug"`
	Networks  Networks `json:"networks"`
	// Region is the full object of the Droplet's region.
	Region  Region   `json:"region"`
	Tags    []string `json:"tags"`
	VpcUUID string   `json:"vpc_uuid"`
}

// BackupWindow is a Droplet's next_backup_window.
type BackupWindow struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Networks are a Droplet's network interfaces.
type Networks struct {
	V4 []NetworkV4 `json:"v4"`
	V6 []NetworkV6 `json:"v6"`
}

// NetworkV4 is an IPv4 interface; a private one's gateway is "nil", as the
// API writes it.
type NetworkV4 struct {
	IPAddress string `json:"ip_address"`
	Netmask   string `json:"netmask"`
	Gateway   string `json:"gateway"`
	Type      string `json:"type"`
}

// NetworkV6 is an IPv6 interface.
type NetworkV6 struct {
	IPAddress string `json:"ip_address"`
	Netmask   int    `json:"netmask"`
	Gateway   string `json:"gateway"`
	Type      string `json:"type"`
}

// Action is the API's action object, as POST /v2/images/{id}/actions returns it.
type Action struct {
	ID int `json:"id"`
	// Status is always completed: emulated actions finish at once.
	Status string `json:"status"`
	// Type is transfer or convert.
	Type        string  `json:"type"`
	StartedAt   string  `json:"started_at"`
	CompletedAt *string `json:"completed_at"`
	// ResourceID is the image id.
	ResourceID   int    `json:"resource_id"`
	ResourceType string `json:"resource_type"`
	// RegionSlug is the target region of a transfer, the image's first region
	// for a convert, or null.
	RegionSlug *string `json:"region_slug"`
}

// imageRecord is a stored image with what the API does not show directly.
//
// Stored values are never mutated through a pointer or a slice: an update
// replaces the field. So a shallow copy of Image taken under the read lock
// can be marshalled after the lock is released.
type imageRecord struct {
	Image
	// family is "distribution", "application" or "" (the account's own images).
	family string
	// dropletID is the Droplet a snapshot or backup was taken from.
	dropletID int
	// minDisk and sizeGB hold what MinDiskSize and SizeGigabytes point to.
	minDisk int
	sizeGB  float64
}

// setSizes sets min_disk_size and size_gigabytes without allocating.
func (rec *imageRecord) setSizes(minDisk int, sizeGB float64) {
	rec.minDisk, rec.sizeGB = minDisk, sizeGB
	rec.MinDiskSize, rec.SizeGigabytes = &rec.minDisk, &rec.sizeGB
}

// isDropletSnapshot reports whether the image is one of the account's
// Droplet snapshots (and so also served by /v2/snapshots).
func (rec *imageRecord) isDropletSnapshot() bool {
	return rec.Type == "snapshot" && !rec.Public
}

func (rec *imageRecord) snapshot() Snapshot {
	return Snapshot{
		ID:            itoa(rec.ID),
		Name:          rec.Name,
		CreatedAt:     rec.CreatedAt,
		Regions:       rec.Regions,
		MinDiskSize:   rec.MinDiskSize,
		SizeGigabytes: rec.SizeGigabytes,
		ResourceID:    itoa(rec.dropletID),
		ResourceType:  "droplet",
		Tags:          rec.Tags,
	}
}

func (rec *imageRecord) hasTag(tag string) bool {
	for _, t := range rec.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// dropletRecord is a stored Droplet.
type dropletRecord struct {
	ID        int
	Name      string
	Status    string
	imageID   int
	image     Image // the image as it was at creation, shown once it is deleted
	region    string
	SizeSlug  string
	ownImages []int // ids of the snapshots and backups taken from it, ascending
	Tags      []string
	CreatedAt string
	backups   bool     // backups enabled
	ipv6      bool     // an IPv6 interface
	publicV4  string   // its public IPv4 address
	privateV4 string   // its VPC address
	volumes   []string // ids of the volumes attached, set by the account seed
}

func (d *dropletRecord) hasTag(tag string) bool {
	for _, t := range d.Tags {
		if t == tag {
			return true
		}
	}
	return false
}
