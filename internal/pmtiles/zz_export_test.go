package pmtiles

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

func TestZZExportForJS(t *testing.T) {
	dir := os.Getenv("PMX_DIR")
	if dir == "" {
		t.Skip()
	}
	for i, o := range []writeOptions{
		{internal: None, tileCompression: None, tileType: PNG, maxEntries: 500},
		{internal: Gzip, tileCompression: Gzip, tileType: MVT, maxEntries: 64},
		{internal: Gzip, tileCompression: None, tileType: JPEG, maxEntries: 12},
	} {
		a := buildArchive(t, pyramid(6), o)
		os.WriteFile(fmt.Sprintf("%s/a%d.pmtiles", dir, i), a.data, 0o644)
		exp := map[string]string{}
		for z := range uint8(7) {
			n := uint32(1) << z
			for x := range n {
				for y := range n {
					id, _ := TileID(z, x, y)
					exp[fmt.Sprintf("%d/%d/%d", z, x, y)] = base64.StdEncoding.EncodeToString(a.tiles[id])
				}
			}
		}
		b, _ := json.Marshal(exp)
		os.WriteFile(fmt.Sprintf("%s/a%d.json", dir, i), b, 0o644)
	}
}
