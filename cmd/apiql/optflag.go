package main

// optString is a string flag that knows whether it was given.
type optString struct {
	val string
	set bool
}

func (o *optString) String() string     { return o.val }
func (o *optString) Set(v string) error { o.val, o.set = v, true; return nil }

// ptr is the value when given, else nil.
func (o *optString) ptr() *string {
	if !o.set {
		return nil
	}
	v := o.val
	return &v
}
