package demo

// city is a real US city with one of its real ZIP codes, its approximate
// centre and its telephone area code.
type city struct {
	Name, Region, Zip string
	Lat, Lon          float64
	AreaCode          string
}

// cities are where customers' ship-to addresses are. Coordinates are the
// city's approximate centre, good enough for choosing the nearest DC.
var cities = []city{
	{"Dallas", "TX", "75201", 32.7876, -96.7994, "214"},
	{"Fort Worth", "TX", "76102", 32.7555, -97.3308, "817"},
	{"Houston", "TX", "77002", 29.7569, -95.3625, "713"},
	{"San Antonio", "TX", "78205", 29.4241, -98.4936, "210"},
	{"Austin", "TX", "78701", 30.2711, -97.7437, "512"},
	{"El Paso", "TX", "79901", 31.7587, -106.4869, "915"},
	{"Oklahoma City", "OK", "73102", 35.4676, -97.5164, "405"},
	{"Tulsa", "OK", "74103", 36.1540, -95.9928, "918"},
	{"Little Rock", "AR", "72201", 34.7465, -92.2896, "501"},
	{"New Orleans", "LA", "70112", 29.9511, -90.0715, "504"},
	{"Baton Rouge", "LA", "70801", 30.4515, -91.1871, "225"},
	{"Atlanta", "GA", "30303", 33.7527, -84.3915, "404"},
	{"Savannah", "GA", "31401", 32.0809, -81.0912, "912"},
	{"Birmingham", "AL", "35203", 33.5186, -86.8104, "205"},
	{"Nashville", "TN", "37203", 36.1506, -86.7923, "615"},
	{"Memphis", "TN", "38103", 35.1495, -90.0490, "901"},
	{"Knoxville", "TN", "37902", 35.9606, -83.9207, "865"},
	{"Charlotte", "NC", "28202", 35.2271, -80.8431, "704"},
	{"Raleigh", "NC", "27601", 35.7796, -78.6382, "919"},
	{"Charleston", "SC", "29401", 32.7765, -79.9311, "843"},
	{"Jacksonville", "FL", "32202", 30.3322, -81.6557, "904"},
	{"Orlando", "FL", "32801", 28.5383, -81.3792, "407"},
	{"Tampa", "FL", "33602", 27.9506, -82.4572, "813"},
	{"Miami", "FL", "33131", 25.7617, -80.1918, "305"},
	{"Chicago", "IL", "60601", 41.8858, -87.6181, "312"},
	{"Naperville", "IL", "60540", 41.7508, -88.1535, "630"},
	{"Milwaukee", "WI", "53202", 43.0389, -87.9065, "414"},
	{"Madison", "WI", "53703", 43.0731, -89.4012, "608"},
	{"Minneapolis", "MN", "55401", 44.9778, -93.2650, "612"},
	{"Des Moines", "IA", "50309", 41.5868, -93.6250, "515"},
	{"Kansas City", "MO", "64106", 39.0997, -94.5786, "816"},
	{"St. Louis", "MO", "63101", 38.6270, -90.1994, "314"},
	{"Omaha", "NE", "68102", 41.2565, -95.9345, "402"},
	{"Indianapolis", "IN", "46204", 39.7684, -86.1581, "317"},
	{"Detroit", "MI", "48226", 42.3314, -83.0458, "313"},
	{"Grand Rapids", "MI", "49503", 42.9634, -85.6681, "616"},
	{"Columbus", "OH", "43215", 39.9612, -82.9988, "614"},
	{"Cleveland", "OH", "44114", 41.4993, -81.6944, "216"},
	{"Cincinnati", "OH", "45202", 39.1031, -84.5120, "513"},
	{"Louisville", "KY", "40202", 38.2527, -85.7585, "502"},
	{"Pittsburgh", "PA", "15222", 40.4406, -79.9959, "412"},
	{"Philadelphia", "PA", "19103", 39.9526, -75.1652, "215"},
	{"Harrisburg", "PA", "17101", 40.2732, -76.8867, "717"},
	{"Newark", "NJ", "07102", 40.7357, -74.1724, "973"},
	{"New York", "NY", "10001", 40.7506, -73.9972, "212"},
	{"Buffalo", "NY", "14202", 42.8864, -78.8784, "716"},
	{"Boston", "MA", "02108", 42.3588, -71.0707, "617"},
	{"Hartford", "CT", "06103", 41.7658, -72.6734, "860"},
	{"Baltimore", "MD", "21202", 39.2904, -76.6122, "410"},
	{"Richmond", "VA", "23219", 37.5407, -77.4360, "804"},
	{"Denver", "CO", "80202", 39.7392, -104.9903, "303"},
	{"Salt Lake City", "UT", "84101", 40.7608, -111.8910, "801"},
	{"Albuquerque", "NM", "87102", 35.0844, -106.6504, "505"},
	{"Phoenix", "AZ", "85004", 33.4484, -112.0740, "602"},
	{"Tucson", "AZ", "85701", 32.2226, -110.9747, "520"},
	{"Las Vegas", "NV", "89101", 36.1699, -115.1398, "702"},
	{"Reno", "NV", "89501", 39.5296, -119.8138, "775"},
	{"Los Angeles", "CA", "90012", 34.0522, -118.2437, "213"},
	{"San Diego", "CA", "92101", 32.7157, -117.1611, "619"},
	{"Sacramento", "CA", "95814", 38.5816, -121.4944, "916"},
	{"San Jose", "CA", "95113", 37.3382, -121.8863, "408"},
	{"Oakland", "CA", "94612", 37.8044, -122.2712, "510"},
	{"Portland", "OR", "97204", 45.5152, -122.6784, "503"},
	{"Seattle", "WA", "98104", 47.6062, -122.3321, "206"},
	{"Boise", "ID", "83702", 43.6150, -116.2023, "208"},
}

// network is the demo fulfilment network: six regional DCs, one B2C 3PL and
// two dropship vendors, at real addresses' cities with real coordinates.
var network = []Location{
	{Code: "DAL", Name: "Dallas DC", Type: "dc", Serves: "both", Line1: "2400 Irving Blvd", City: "Dallas", Region: "TX", PostalCode: "75207", Latitude: 32.7990, Longitude: -96.8300, CutoffTime: "15:00", Timezone: "America/Chicago", CostPerShipmentCents: 950, Priority: 100},
	{Code: "ATL", Name: "Atlanta DC", Type: "dc", Serves: "both", Line1: "1200 Fulton Industrial Blvd SW", City: "Atlanta", Region: "GA", PostalCode: "30336", Latitude: 33.7580, Longitude: -84.5620, CutoffTime: "15:00", Timezone: "America/New_York", CostPerShipmentCents: 925, Priority: 100},
	{Code: "CHI", Name: "Chicago DC (Romeoville)", Type: "dc", Serves: "b2b", Line1: "1000 Taylor Rd", City: "Romeoville", Region: "IL", PostalCode: "60446", Latitude: 41.6475, Longitude: -88.0895, CutoffTime: "14:30", Timezone: "America/Chicago", CostPerShipmentCents: 1000, Priority: 100},
	{Code: "RNO", Name: "Reno DC", Type: "dc", Serves: "b2b", Line1: "9000 Double R Blvd", City: "Reno", Region: "NV", PostalCode: "89521", Latitude: 39.4600, Longitude: -119.7800, CutoffTime: "14:00", Timezone: "America/Los_Angeles", CostPerShipmentCents: 1100, Priority: 110},
	{Code: "HBG", Name: "Harrisburg DC", Type: "dc", Serves: "both", Line1: "5000 Paxton St", City: "Harrisburg", Region: "PA", PostalCode: "17111", Latitude: 40.2650, Longitude: -76.8200, CutoffTime: "15:30", Timezone: "America/New_York", CostPerShipmentCents: 975, Priority: 100},
	{Code: "ONT", Name: "Ontario DC", Type: "dc", Serves: "both", Line1: "4200 E Airport Dr", City: "Ontario", Region: "CA", PostalCode: "91761", Latitude: 34.0560, Longitude: -117.5850, CutoffTime: "14:00", Timezone: "America/Los_Angeles", CostPerShipmentCents: 1050, Priority: 100},
	{Code: "3PL-MEM", Name: "Memphis 3PL (B2C parcel)", Type: "3pl", Serves: "b2c", Line1: "4700 Shelby Dr", City: "Memphis", Region: "TN", PostalCode: "38118", Latitude: 35.0300, Longitude: -89.9300, CutoffTime: "17:00", Timezone: "America/Chicago", CostPerShipmentCents: 650, Priority: 50},
	{Code: "V-ACME", Name: "Acme Industrial Supply (dropship)", Type: "vendor", Serves: "both", Line1: "18000 Sheldon Rd", City: "Cleveland", Region: "OH", PostalCode: "44142", Latitude: 41.4100, Longitude: -81.8300, CutoffTime: "12:00", Timezone: "America/New_York", CostPerShipmentCents: 1400, Priority: 200},
	{Code: "V-NSTAR", Name: "Northstar Safety Products (dropship)", Type: "vendor", Serves: "both", Line1: "2500 Broadway St NE", City: "Minneapolis", Region: "MN", PostalCode: "55413", Latitude: 44.9990, Longitude: -93.2390, CutoffTime: "12:00", Timezone: "America/Chicago", CostPerShipmentCents: 1350, Priority: 200},
}
