package main

import (
	"reflect"
	"testing"
)

type m = map[string]interface{}
type l = []interface{}

func TestSetSyntax(t *testing.T) {
	cases := []struct {
		in       string
		asString bool
		want     m
	}{
		{in: "a=b", want: m{"a": "b"}},
		{in: "a=1,b=true,c=FALSE,d=null,e=0,f=010,g=1.5,h=", want: m{"a": int64(1), "b": true, "c": false, "d": nil, "e": int64(0), "f": "010", "g": "1.5", "h": ""}},
		{in: "a=1,b=true,d=null", asString: true, want: m{"a": "1", "b": "true", "d": "null"}},
		{in: "outer.inner.leaf=x", want: m{"outer": m{"inner": m{"leaf": "x"}}}},
		{in: `labels.app\.kubernetes\.io/name=x`, want: m{"labels": m{"app.kubernetes.io/name": "x"}}},
		{in: `a=x\,y`, want: m{"a": "x,y"}},
		{in: "list={a,b,3}", want: m{"list": l{"a", "b", int64(3)}}},
		{in: "list={a,b},next=c", want: m{"list": l{"a", "b"}, "next": "c"}},
		{in: "list[0]=a,list[2]=c", want: m{"list": l{"a", nil, "c"}}},
		{in: "list[0].name=a,list[0].port=80", want: m{"list": l{m{"name": "a", "port": int64(80)}}}},
		{in: "nested[0][1]=x", want: m{"nested": l{l{nil, "x"}}}},
		{in: "list[1]={x,y}", want: m{"list": l{nil, l{"x", "y"}}}},
	}
	for _, c := range cases {
		got := m{}
		if err := parseSet(c.in, got, c.asString); err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", c.in, got, c.want)
		}
	}
}

func TestSetMergesIntoExisting(t *testing.T) {
	dest := m{"a": m{"keep": "yes", "b": "old"}, "list": l{"x", "y"}}
	if err := parseSet("a.b=new,list[1]=z", dest, false); err != nil {
		t.Fatal(err)
	}
	want := m{"a": m{"keep": "yes", "b": "new"}, "list": l{"x", "z"}}
	if !reflect.DeepEqual(dest, want) {
		t.Errorf("got %#v want %#v", dest, want)
	}
}

func TestSetJSONAndFile(t *testing.T) {
	got := m{}
	if err := parseSetJSON(`a={"b":[1,"x"]},c=`, got); err != nil {
		t.Fatal(err)
	}
	want := m{"a": m{"b": l{float64(1), "x"}}, "c": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("--set-json: got %#v want %#v", got, want)
	}
	got = m{}
	read := func(p string) ([]byte, error) { return []byte("content of " + p), nil }
	if err := parseSetFile("cfg.text=some/file.txt", got, read); err != nil {
		t.Fatal(err)
	}
	if got["cfg"].(m)["text"] != "content of some/file.txt" {
		t.Errorf("--set-file: got %#v", got)
	}
}

func TestSetErrors(t *testing.T) {
	cases := map[string]string{
		"a":             `key "a" has no value`,
		"a,b=1":         `key "a" has no value (cannot end with ,)`,
		"a.=1":          `key map "a" has no value`,
		"list={a,b":     `list must terminate with '}'`,
		"list[x]=1":     `error parsing index: strconv.Atoi: parsing "x": invalid syntax`,
		"list[-1]=1":    `negative -1 index not allowed`,
		"list[70000]=1": `index of 70000 is greater than maximum supported index of 65536`,
		"a=1,a.b=2":     `unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}`,
		"list[0]x=1":    `unexpected data at end of array index: ['x']`, // Helm formats the runes with %q too
		"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.aa.bb.cc.dd.ee.ff=1": "value name nested level is greater than maximum supported nested level of 30",
	}
	for in, want := range cases {
		err := parseSet(in, m{}, false)
		if err == nil || err.Error() != want {
			t.Errorf("%q: got error %v, want %q", in, err, want)
		}
	}
}
