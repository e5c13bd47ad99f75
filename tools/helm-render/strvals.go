package main

// The --set / --set-string / --set-json / --set-file syntax, following Helm 3's pkg/strvals:
// "a.b=1,c[0].d=x,e={x,y}", backslash escapes the next rune ("a\.b=1" is the key "a.b"),
// --set types values (true/false/null/integers), --set-string keeps them as strings.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

var errNotList = errors.New("not a list")

// Helm caps these to keep a hostile --set from allocating huge lists or deep recursion.
const (
	maxSetIndex       = 65536
	maxSetNestedLevel = 30
)

// valueReader turns the runes after "=" into the stored value.
type valueReader func([]rune) (interface{}, error)

type setParser struct {
	sc     *bytes.Buffer
	data   map[string]interface{}
	reader valueReader
	json   bool // --set-json: the value is a JSON document
}

// parseSet applies one --set (asString=false) or --set-string (asString=true) argument to dest.
func parseSet(s string, dest map[string]interface{}, asString bool) error {
	p := &setParser{sc: bytes.NewBufferString(s), data: dest, reader: func(rs []rune) (interface{}, error) {
		return typedSetValue(rs, asString), nil
	}}
	return p.parse()
}

// parseSetJSON applies one --set-json argument ("a.b={\"x\":1}") to dest.
func parseSetJSON(s string, dest map[string]interface{}) error {
	p := &setParser{sc: bytes.NewBufferString(s), data: dest, json: true}
	return p.parse()
}

// parseSetFile applies one --set-file argument ("key=path"): the value is the file's content.
func parseSetFile(s string, dest map[string]interface{}, read func(string) ([]byte, error)) error {
	p := &setParser{sc: bytes.NewBufferString(s), data: dest, reader: func(rs []rune) (interface{}, error) {
		b, err := read(string(rs))
		return string(b), err
	}}
	return p.parse()
}

func (p *setParser) parse() error {
	for {
		err := p.key(p.data, 0)
		if err == nil {
			continue
		}
		if err == io.EOF {
			return nil
		}
		return err
	}
}

func runeSet(rs ...rune) map[rune]bool {
	m := make(map[rune]bool, len(rs))
	for _, r := range rs {
		m[r] = true
	}
	return m
}

// key reads one key path and its value into data; a type clash (a list where a map is, ...)
// panics in the type assertions and is reported as Helm does.
func (p *setParser) key(data map[string]interface{}, level int) (reterr error) {
	defer func() {
		if r := recover(); r != nil {
			reterr = fmt.Errorf("unable to parse key: %s", r)
		}
	}()
	k, last, err := runesUntil(p.sc, runeSet('=', '[', ',', '.'))
	switch {
	case err != nil:
		if len(k) == 0 {
			return err
		}
		return fmt.Errorf("key %q has no value", string(k))
	case last == '[':
		i, err := p.keyIndex()
		if err != nil {
			return fmt.Errorf("error parsing index: %w", err)
		}
		name := string(k)
		list := []interface{}{}
		if _, ok := data[name]; ok {
			list = data[name].([]interface{})
		}
		list, err = p.listItem(list, i, level)
		setKey(data, name, list)
		return err
	case last == '=':
		if p.json {
			v, err := p.jsonValue()
			if err != nil {
				return err
			}
			setKey(data, string(k), v)
			return nil
		}
		vl, e := p.valList()
		switch e {
		case nil:
			setKey(data, string(k), vl)
			return nil
		case io.EOF:
			setKey(data, string(k), "")
			return e
		case errNotList:
			rs, e := p.val()
			if e != nil && e != io.EOF {
				return e
			}
			v, e := p.reader(rs)
			setKey(data, string(k), v)
			return e
		default:
			return e
		}
	case last == ',':
		setKey(data, string(k), "")
		return fmt.Errorf("key %q has no value (cannot end with ,)", string(k))
	default: // '.'
		level++
		if level > maxSetNestedLevel {
			return fmt.Errorf("value name nested level is greater than maximum supported nested level of %d", maxSetNestedLevel)
		}
		inner := map[string]interface{}{}
		if _, ok := data[string(k)]; ok {
			inner = data[string(k)].(map[string]interface{})
		}
		e := p.key(inner, level)
		if e == nil && len(inner) == 0 {
			return fmt.Errorf("key map %q has no value", string(k))
		}
		if len(inner) != 0 {
			setKey(data, string(k), inner)
		}
		return e
	}
}

// jsonValue decodes one JSON document after "=" (an empty value means null) and consumes
// the following comma.
func (p *setParser) jsonValue() (interface{}, error) {
	empty, err := p.emptyVal()
	if err != nil || empty {
		return nil, err
	}
	var v interface{}
	dec := json.NewDecoder(strings.NewReader(p.sc.String()))
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	p.sc.Next(int(dec.InputOffset()))
	_, err = p.emptyVal()
	return v, err
}

func setKey(data map[string]interface{}, key string, val interface{}) {
	if key == "" {
		return
	}
	data[key] = val
}

func setIndex(list []interface{}, index int, val interface{}) (l2 []interface{}, err error) {
	if index < 0 {
		return list, fmt.Errorf("negative %d index not allowed", index)
	}
	if index > maxSetIndex {
		return list, fmt.Errorf("index of %d is greater than maximum supported index of %d", index, maxSetIndex)
	}
	if len(list) <= index {
		grown := make([]interface{}, index+1)
		copy(grown, list)
		list = grown
	}
	list[index] = val
	return list, nil
}

func (p *setParser) keyIndex() (int, error) {
	v, _, err := runesUntil(p.sc, runeSet(']'))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(v))
}

func (p *setParser) listItem(list []interface{}, i, level int) ([]interface{}, error) {
	if i < 0 {
		return list, fmt.Errorf("negative %d index not allowed", i)
	}
	k, last, err := runesUntil(p.sc, runeSet('[', '.', '='))
	switch {
	case len(k) > 0:
		return list, fmt.Errorf("unexpected data at end of array index: %q", k)
	case err != nil:
		return list, err
	case last == '=':
		if p.json {
			v, err := p.jsonValue()
			if err != nil {
				return list, err
			}
			return setIndex(list, i, v)
		}
		vl, e := p.valList()
		switch e {
		case nil:
			return setIndex(list, i, vl)
		case io.EOF:
			return setIndex(list, i, "")
		case errNotList:
			rs, e := p.val()
			if e != nil && e != io.EOF {
				return list, e
			}
			v, e := p.reader(rs)
			if e != nil {
				return list, e
			}
			return setIndex(list, i, v)
		default:
			return list, e
		}
	case last == '[':
		next, err := p.keyIndex()
		if err != nil {
			return list, fmt.Errorf("error parsing index: %w", err)
		}
		var inner []interface{}
		if len(list) > i && list[i] != nil {
			inner = list[i].([]interface{})
		}
		inner, err = p.listItem(inner, next, level)
		if err != nil {
			return list, err
		}
		return setIndex(list, i, inner)
	default: // '.'
		inner := map[string]interface{}{}
		if len(list) > i {
			if m, ok := list[i].(map[string]interface{}); ok {
				inner = m
			}
		}
		if e := p.key(inner, level); e != nil {
			return list, e
		}
		return setIndex(list, i, inner)
	}
}

// emptyVal skips blanks and reports whether the value ends here (end of input or a comma).
func (p *setParser) emptyVal() (bool, error) {
	for {
		r, _, e := p.sc.ReadRune()
		if e == io.EOF {
			return true, nil
		}
		if e != nil {
			return false, e
		}
		if r == ',' {
			return true, nil
		}
		if !unicode.IsSpace(r) {
			_ = p.sc.UnreadRune()
			return false, nil
		}
	}
}

func (p *setParser) val() ([]rune, error) {
	v, _, err := runesUntil(p.sc, runeSet(','))
	return v, err
}

// valList reads "{a,b,c}"; errNotList when the value does not start with "{".
func (p *setParser) valList() ([]interface{}, error) {
	r, _, e := p.sc.ReadRune()
	if e != nil {
		return []interface{}{}, e
	}
	if r != '{' {
		_ = p.sc.UnreadRune()
		return []interface{}{}, errNotList
	}
	list := []interface{}{}
	for {
		rs, last, err := runesUntil(p.sc, runeSet(',', '}'))
		if err != nil {
			if err == io.EOF {
				err = errors.New("list must terminate with '}'")
			}
			return list, err
		}
		v, e := p.reader(rs)
		if last == '}' {
			// A comma right after the list separates it from the next key.
			if r, _, e := p.sc.ReadRune(); e == nil && r != ',' {
				_ = p.sc.UnreadRune()
			}
			list = append(list, v)
			return list, e
		}
		if e != nil {
			return list, e
		}
		list = append(list, v)
	}
}

func runesUntil(in io.RuneReader, stop map[rune]bool) ([]rune, rune, error) {
	v := []rune{}
	for {
		r, _, e := in.ReadRune()
		switch {
		case e != nil:
			return v, r, e
		case stop[r]:
			return v, r, nil
		case r == '\\':
			next, _, e := in.ReadRune()
			if e != nil {
				return v, next, e
			}
			v = append(v, next)
		default:
			v = append(v, r)
		}
	}
}

// typedSetValue types a --set value as Helm does: true/false, null (deletes the key when
// merged over the chart's values), int64 for integers without a leading zero, else a string.
func typedSetValue(v []rune, asString bool) interface{} {
	s := string(v)
	if asString {
		return s
	}
	switch {
	case strings.EqualFold(s, "true"):
		return true
	case strings.EqualFold(s, "false"):
		return false
	case strings.EqualFold(s, "null"):
		return nil
	case s == "0":
		return int64(0)
	}
	if len(s) != 0 && s[0] != '0' {
		if iv, err := strconv.ParseInt(s, 10, 64); err == nil {
			return iv
		}
	}
	return s
}
