import Foundation
import SwitchboardMIME

/// IMAP's `INTERNALDATE` (`"17-Jul-1996 02:44:25 -0700"`, RFC 9051 §9 `date-time`): when the server
/// received the message. Used as the contact's time when the message has no usable `Date` header.
enum IMAPDate {
    /// The same fields as an RFC 5322 date with dashes in the date part, so the mail date parser reads it.
    static func parse(_ text: String) -> Date? {
        let fields = text.trimmingCharacters(in: .whitespaces).split(separator: " ")
        guard fields.count == 3, fields[0].split(separator: "-").count == 3, fields[2].count == 5,
            fields[2].first == "+" || fields[2].first == "-"
        else { return nil }
        return MailDate.parse(fields[0].replacingOccurrences(of: "-", with: " ") + " " + fields[1] + " " + fields[2])
    }
}
