package main

import (
	"reflect"
	"testing"
)

func TestMergeMapsLaterFileWins(t *testing.T) {
	a := m{"x": m{"keep": 1, "over": 1}, "list": l{1, 2}, "gone": "a"}
	b := m{"x": m{"over": 2}, "list": l{3}, "gone": nil}
	got := mergeMaps(a, b)
	want := m{"x": m{"keep": 1, "over": 2}, "list": l{3}, "gone": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v want %#v", got, want)
	}
}

func TestCoalesceOverChartValues(t *testing.T) {
	chartVals := m{
		"image":    m{"repo": "r", "tag": "1"},
		"drop":     "chart default",
		"table":    m{"a": 1, "dropNested": "x", "nullInChart": nil},
		"scalar":   "s",
		"keepNull": nil,
	}
	user := m{
		"image":       m{"tag": "2"},
		"drop":        nil,                                                       // user null deletes a chart key
		"table":       m{"dropNested": nil, "nullInChart": nil, "userNull": nil}, // nested: same, but a null the chart also has stays
		"scalar":      m{"now": "a table"},                                       // user table over a chart scalar: user wins
		"onlyUser":    "u",
		"onlyUserNil": nil,
	}
	var warnings []string
	warn := func(f string, a ...interface{}) { warnings = append(warnings, f) }
	got := coalesceValues("c", chartVals, user, warn)
	want := Values{
		"image":       m{"repo": "r", "tag": "2"},
		"table":       m{"a": 1, "nullInChart": nil, "userNull": nil},
		"scalar":      m{"now": "a table"},
		"keepNull":    nil,
		"onlyUser":    "u",
		"onlyUserNil": nil,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	if !reflect.DeepEqual(warnings, []string{"warning: skipped value for %s.%s: Not a table."}) {
		t.Errorf("warnings: %q", warnings)
	}
	// The inputs are copied, never changed.
	if chartVals["image"].(m)["tag"] != "1" || user["drop"] != nil || len(user["table"].(m)) != 3 {
		t.Errorf("inputs changed: %#v %#v", chartVals, user)
	}
}

func TestValuesTable(t *testing.T) {
	v := Values{"a": m{"b": m{"c": 1}}}
	got, err := v.Table("a.b")
	if err != nil || !reflect.DeepEqual(got, Values{"c": 1}) {
		t.Errorf("Table: %v %v", got, err)
	}
	if _, err := v.Table("a.x"); err == nil {
		t.Error("Table of a missing key should fail")
	}
}

// The first case of Helm v3.21.4's TestCoalesceTables (pkg/chartutil/coalesce_test.go).
func TestCoalesceTablesAsHelm(t *testing.T) {
	dst := m{
		"name":    "Ishmael",
		"address": m{"street": "123 Spouter Inn Ct.", "city": "Nantucket", "country": nil},
		"details": m{"friends": []string{"Tashtego"}},
		"boat":    "pequod",
		"hole":    nil,
	}
	src := m{
		"occupation": "whaler",
		"address":    m{"state": "MA", "street": "234 Spouter Inn Ct.", "country": "US"},
		"details":    "empty",
		"boat":       m{"mast": true},
		"hole":       "black",
	}
	coalesceTables(dst, src, "", func(string, ...interface{}) {})
	want := m{
		"name":       "Ishmael",
		"occupation": "whaler",
		"address":    m{"street": "123 Spouter Inn Ct.", "city": "Nantucket", "state": "MA"},
		"details":    m{"friends": []string{"Tashtego"}},
		"boat":       "pequod",
	}
	if !reflect.DeepEqual(dst, want) {
		t.Errorf("got  %#v\nwant %#v", dst, want)
	}
}
