/// A unit of measure as said after a number: "one kilometer", "five kilometers".
///
/// Why spellings are matched exactly (not case-folded): "m" is meters but "M" is a million, "MB" is
/// megabytes and "Mb" megabits, "W" is watts but "w" is not a unit at all.
struct MeasurementUnit {
    var singular: String
    var plural: String
    /// Also an ordinary word ("in", "s"): read as a unit only when written against the number or
    /// at the end of a clause.
    var restricted = false

    init(singular: String, plural: String, restricted: Bool = false) {
        self.singular = singular
        self.plural = plural
        self.restricted = restricted
    }

    static let table: [String: MeasurementUnit] = {
        var table: [String: MeasurementUnit] = [:]
        func add(_ spellings: [String], _ singular: String, _ plural: String, restricted: Bool = false) {
            for spelling in spellings {
                table[spelling] = MeasurementUnit(singular: singular, plural: plural, restricted: restricted)
            }
        }
        add(["km", "KM", "Km"], "kilometer", "kilometers")
        add(["m"], "meter", "meters")
        add(["cm"], "centimeter", "centimeters")
        add(["mm"], "millimeter", "millimeters")
        add(["kg", "KG", "Kg", "kgs"], "kilogram", "kilograms")
        add(["g"], "gram", "grams")
        add(["mg"], "milligram", "milligrams")
        add(["lb", "lbs", "LB", "LBS"], "pound", "pounds")
        add(["oz"], "ounce", "ounces")
        add(["mi"], "mile", "miles")
        add(["mph", "MPH"], "mile per hour", "miles per hour")
        add(["kph", "kmh", "KPH"], "kilometer per hour", "kilometers per hour")
        add(["ft"], "foot", "feet")
        add(["in"], "inch", "inches", restricted: true)
        add(["yd", "yds"], "yard", "yards")
        add(["h", "hr", "hrs"], "hour", "hours")
        add(["min", "mins"], "minute", "minutes")
        add(["s"], "second", "seconds", restricted: true)
        add(["sec", "secs"], "second", "seconds")
        add(["ms"], "millisecond", "milliseconds")
        add(["TB", "tb"], "terabyte", "terabytes")
        add(["GB", "gb"], "gigabyte", "gigabytes")
        add(["MB", "mb"], "megabyte", "megabytes")
        add(["KB", "kB"], "kilobyte", "kilobytes")
        add(["Gb"], "gigabit", "gigabits")
        add(["Mb"], "megabit", "megabits")
        add(["kb", "Kb"], "kilobit", "kilobits")
        add(["kbps", "Kbps"], "kilobit per second", "kilobits per second")
        add(["Mbps", "mbps"], "megabit per second", "megabits per second")
        add(["Gbps"], "gigabit per second", "gigabits per second")
        add(["fps"], "frame per second", "frames per second")
        add(["GHz"], "gigahertz", "gigahertz")
        add(["MHz"], "megahertz", "megahertz")
        add(["kHz", "KHz", "khz"], "kilohertz", "kilohertz")
        add(["Hz", "hz"], "hertz", "hertz")
        add(["dB", "db"], "decibel", "decibels")
        add(["V"], "volt", "volts")
        add(["W"], "watt", "watts")
        add(["kW"], "kilowatt", "kilowatts")
        add(["kWh"], "kilowatt hour", "kilowatt hours")
        add(["l", "L"], "liter", "liters")
        add(["ml", "mL"], "milliliter", "milliliters")
        return table
    }()

    /// Words that follow "/" in a rate ("$10/mo") but are not units after a number.
    static let perOnly = ["mo": "month", "yr": "year", "wk": "week", "d": "day"]
}
