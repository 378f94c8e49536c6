package atlas

// What the package's outside tests look at within.
var (
	SearchText  = searchText
	Words       = words
	PGVector    = pgVector
	DutchStop   = dutchStop
	EnglishStop = englishStop
)
