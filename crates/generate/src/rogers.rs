//! `--rogers` (`GenOptions::rogers`): a fifth carrier, Rogers, whose bills are
//! written as Rogers delivers them (docs/formats.md, "Rogers"), so that the Rogers
//! layouts and the usage read from call detail are exercised by tests and
//! benchmarks. Off by default: without it, nothing here runs and the generated
//! client is byte for byte what it was.
//!
//! One Rogers line per 10 services (at least 8), on accounts of up to 100 lines
//! (at least 2). Per account and month, below `invoices/rogers/<account>/<YYYY-MM>/`:
//! - `ALL_CALLS-Custom.txt`: the Custom report (ISO-8859-1, pipe-separated, a title
//!   and a "Months selected:" line before the header), one row per line: Monthly
//!   Service Fee, Data Monthly Service Fee, Canadian Long Distance Charge, Credits
//!   and Discounts, Subtotal, GST, PST, HST (13% of the subtotal, half away from
//!   zero), QST, the taxable and non-taxable parts and Total Current Charges;
//! - `gprs/`, `sms/`, `voice/` and, in a month with roaming calls, `voice-rm/`: the
//!   call detail (`ALL_CALLS-*.txt`, no header line) with its `Header-*.txt`.
//!
//! The billing cycle of month p ends on its 5th (the other carriers' invoice day,
//! so the client's as-of date does not move) and starts on the 6th of the month
//! before; the Custom report dates its rows on the cycle's end.
//!
//! An account-month whose lines use it at home has GPRS, SMS and Voice records
//! (a line sends a text when no line did), so its call detail measures every kind
//! and a line absent from it is measured at zero, not "not measured".
//!
//! Planted: the account's first line is unused (no call detail in the last 3
//! months: UNU001 finds it from the lines measured at zero), the second used only in
//! the 3rd-last month of those (a look-alike), the third only roaming in the last 3
//! months (a roaming export measures no line at zero, and its calls are use: not
//! found); the others use their lines every month.

use crate::rng::{mix, Rng};
use crate::write::{create_dir, write_file};
use crate::GenOptions;
use std::io;
use std::path::Path;

/// How a Rogers line is used over the months.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Use {
    Normal,
    /// No call detail in the last 3 months.
    Unused,
    /// Of the last 3 months, used only in the first.
    AlmostUnused,
    /// In the last 3 months, only roaming calls.
    RoamingOnly,
}

struct Line {
    id: String,
    name: &'static str,
    account: usize,
    /// Monthly Service Fee and Data Monthly Service Fee, in cents.
    fee: i64,
    data_fee: i64,
    /// Credits and Discounts (negative cents), if any.
    credit: i64,
    long_distance: bool,
    usage: Use,
}

/// Users, some with names ISO-8859-1 writes as one byte per letter.
const NAMES: [&str; 8] = [
    "Léa Tremblay",
    "François Roy",
    "Zoë Gagnon",
    "Amir Singh",
    "Mei Wong",
    "Noah Clarke",
    "Chloé Bouchard",
    "Liam O'Neil",
];

/// What was written: Rogers lines, Custom charge rows and files (Custom reports
/// and call-detail data files; their header files are not counted).
pub(crate) struct Written {
    pub lines: usize,
    pub rows: u64,
    pub files: usize,
}

/// A cycle's first and last day as (year, month, day) of month index `p`.
fn cycle(opts: &GenOptions, p: u32) -> ((u32, u32, u32), (u32, u32, u32)) {
    let idx = opts.start.0 * 12 + (opts.start.1 - 1) + p;
    let (y, m) = (idx / 12, idx % 12 + 1);
    let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    ((py, pm, 6), (y, m, 5))
}

fn lines(opts: &GenOptions) -> (Vec<String>, Vec<Line>) {
    let mut rng = Rng::new(mix(&[opts.seed, 0x524F_4745]));
    let n = (opts.services / 10).max(8);
    let accounts: Vec<String> = (0..(n / 100).max(2))
        .map(|a| format!("{:09}", 500_100_200 + a as u64 * 7919))
        .collect();
    let mut out = Vec::with_capacity(n);
    let mut first_of: Vec<usize> = vec![0; accounts.len()];
    for i in 0..n {
        let account = i % accounts.len();
        let k = first_of[account];
        first_of[account] += 1;
        let usage = match k {
            0 => Use::Unused,
            1 => Use::AlmostUnused,
            2 => Use::RoamingOnly,
            _ => Use::Normal,
        };
        out.push(Line {
            id: format!("416{:07}", 5_550_000 + i as u64),
            name: NAMES[i % NAMES.len()],
            account,
            fee: *rng.pick(&[4000, 5500, 7000]),
            data_fee: *rng.pick(&[0, 1500, 2500]),
            credit: if rng.chance(150) { -500 } else { 0 },
            long_distance: rng.chance(200),
            usage,
        });
    }
    (accounts, out)
}

/// Writes the Rogers accounts of `opts` below `out/invoices/rogers/`.
pub(crate) fn write(out: &Path, opts: &GenOptions) -> io::Result<Written> {
    let (accounts, lines) = lines(opts);
    let mut written = Written {
        lines: lines.len(),
        rows: 0,
        files: 0,
    };
    for (a, number) in accounts.iter().enumerate() {
        let mine: Vec<&Line> = lines.iter().filter(|l| l.account == a).collect();
        for p in 0..opts.months {
            let ((sy, sm, sd), (y, m, d)) = cycle(opts, p);
            let dir = out.join(format!("invoices/rogers/{number}/{y:04}-{m:02}"));
            create_dir(&dir)?;
            let end = format!("{m:02}{d:02}{y:04}");
            let title = format!("{sm:02}/{sd:02}/{sy:04} - {m:02}/{d:02}/{y:04}");
            let mut rng = Rng::new(mix(&[opts.seed, 0x524F_4745, a as u64, u64::from(p)]));
            let (text, rows) = custom(number, &end, (y, m), &mine, &mut rng);
            write_file(&dir.join("ALL_CALLS-Custom.txt"), &latin1(&text))?;
            written.rows += rows;
            written.files += 1;
            let last3 = p + 3 >= opts.months;
            let first_of_last3 = p + 3 == opts.months;
            let ctx = Month {
                ban: number,
                invoice: format!("{y:04}{m:02}{:04}", 1000 + a),
                end: &end,
                title: &title,
                last3,
                first_of_last3,
            };
            written.files += call_detail(&dir, &ctx, &mine, &mut rng)?;
        }
    }
    Ok(written)
}

/// A month of one account, as the call detail writes it.
struct Month<'a> {
    ban: &'a str,
    invoice: String,
    /// The cycle's end, MMDDYYYY.
    end: &'a str,
    /// `MM/DD/YYYY - MM/DD/YYYY`.
    title: &'a str,
    last3: bool,
    first_of_last3: bool,
}

fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let a = cents.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// The Custom report of one account and month, and how many charge rows it bills.
fn custom(number: &str, end: &str, (y, m): (u32, u32), lines: &[&Line], rng: &mut Rng) -> (String, u64) {
    let mut t = String::from("Cost Centre Detail-Monthly Charges Breakdown\r\n");
    t.push_str(&format!("Months selected: {m:02} {y:04}\r\n"));
    t.push_str(
        "Billing Period End Date|Report Level|Billing Account|User Number|User Name|Monthly Service Fee|\
         Data Monthly Service Fee|Canadian Long Distance Charge|Credits and Discounts|Subtotal|GST|PST|HST|QST|\
         Total Current Charges Non-Taxable|Total Current Charges Taxable|Total Current Charges\r\n",
    );
    let mut rows = 0;
    for l in lines {
        let ld = if l.long_distance && rng.chance(500) {
            rng.range(100, 900)
        } else {
            0
        };
        let sub = l.fee + l.data_fee + ld + l.credit;
        // 13% HST, rounded half away from zero to the cent (sub > 0).
        let hst = (sub * 13 + 50) / 100;
        rows += 2 + u64::from(l.data_fee != 0) + u64::from(ld != 0) + u64::from(l.credit != 0);
        t.push_str(&format!(
            "{end}|Head Office|{number}|{}|{}|{}|{}|{}|{}|{}|0|0|{}|0|0|{}|{}\r\n",
            l.id,
            l.name,
            money(l.fee),
            money(l.data_fee),
            money(ld),
            money(l.credit),
            money(sub),
            money(hst),
            money(sub),
            money(sub + hst)
        ));
    }
    (t, rows)
}

/// ISO-8859-1 bytes of a text whose characters all have one.
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

/// The header file of one export: its title and its columns.
fn header(kind: &str, title: &str, columns: &[&str]) -> String {
    let mut t = format!("{kind} Type : {title}\r\n\r\n");
    for c in columns {
        t.push_str(c);
        t.push_str("\r\n");
    }
    t
}

const GPRS: [&str; 8] = [
    "BAN,9,Text",
    "Invoice No.,10,Text",
    "User Name,35,Text",
    "User Number,15,Text",
    "Date,8,Date",
    "Volume (KB),10,Text",
    "Total Call Charges,12,Currency",
    "Roaming Type Indicator,1,Text",
];
const SMS: [&str; 8] = [
    "BAN,9,Text",
    "Invoice No.,10,Text",
    "User Name,35,Text",
    "User Number,15,Text",
    "Date,8,Date",
    "Call Type,6,Text",
    "Period End Date,8,Date",
    "Subscriber ID 1,30,Text",
];
const VOICE: [&str; 8] = [
    "BAN,9,Text",
    "Invoice No.,10,Text",
    "User Name,35,Text",
    "User Number,15,Text",
    "Date,8,Date",
    "Seconds,10,Text",
    "Period End Date,8,Date",
    "Subscriber ID 1,30,Text",
];
const VOICE_RM: [&str; 9] = [
    "BAN,9,Text",
    "Invoice No.,10,Text",
    "User Name,35,Text",
    "User Number,15,Text",
    "Date,8,Date",
    "Seconds,10,Text",
    "Period End Date,8,Date",
    "Carrier Name,40,Text",
    "Subscriber ID 1,30,Text",
];

/// Writes one month's call detail of an account (each export only when it has
/// records); returns how many data files it wrote.
fn call_detail(dir: &Path, mo: &Month<'_>, lines: &[&Line], rng: &mut Rng) -> io::Result<usize> {
    let (mut gprs, mut sms, mut voice, mut roaming) =
        (String::new(), String::new(), String::new(), String::new());
    // The first line used at home, which sends a text when no line did.
    let mut texter: Option<String> = None;
    for l in lines {
        let home = match l.usage {
            Use::Normal => true,
            Use::Unused | Use::RoamingOnly => !mo.last3,
            Use::AlmostUnused => !mo.last3 || mo.first_of_last3,
        };
        let pre = format!("{}|{}|{}|{}|{}", mo.ban, mo.invoice, l.name, l.id, mo.end);
        if home {
            for _ in 0..rng.range(1, 5) {
                gprs.push_str(&format!("{pre}|{}|0|\r\n", rng.range(1_000, 2_000_000)));
            }
            for _ in 0..rng.range(0, 6) {
                let dir = if rng.chance(500) { "OUT" } else { "INC" };
                sms.push_str(&format!("{pre}|{dir}|{}|\r\n", mo.end));
            }
            for _ in 0..rng.range(1, 6) {
                voice.push_str(&format!("{pre}|{}|{}|\r\n", rng.range(10, 1_800), mo.end));
            }
            texter.get_or_insert_with(|| pre.clone());
        }
        let abroad = (l.usage == Use::RoamingOnly && mo.last3) || (home && rng.chance(60));
        if abroad {
            roaming.push_str(&format!(
                "{pre}|{}|{}|USA, CARRIER ONE|\r\n",
                rng.range(30, 1_200),
                mo.end
            ));
        }
    }
    // A month in which the account is used at home has data, texts and calls, so
    // its call detail measures every kind (docs/formats.md section 12: else its
    // lines are not measured, never unused). No draw: the other bytes stay the same.
    if let (true, Some(pre)) = (sms.is_empty(), texter) {
        sms.push_str(&format!("{pre}|OUT|{}|\r\n", mo.end));
    }
    let mut files = 0;
    for (sub, kind, data, name, columns) in [
        ("gprs", "GPRS", &gprs, "ALL_CALLS-GPRS.txt", &GPRS[..]),
        ("sms", "SMS", &sms, "ALL_CALLS-SMS.txt", &SMS[..]),
        ("voice", "Voice", &voice, "ALL_CALLS-Voice.txt", &VOICE[..]),
        (
            "voice-rm",
            "Voice-RM",
            &roaming,
            "ALL_CALLS-VoiceRM.txt",
            &VOICE_RM[..],
        ),
    ] {
        if data.is_empty() {
            continue;
        }
        let d = dir.join(sub);
        create_dir(&d)?;
        write_file(
            &d.join(format!("Header-{}.txt", kind.split('-').next().unwrap_or(kind))),
            header(kind, mo.title, columns).as_bytes(),
        )?;
        write_file(&d.join(name), &latin1(data))?;
        files += 1;
    }
    Ok(files)
}
