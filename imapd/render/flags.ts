// Flag lists as IMAP writes them: "(\Seen $Junk)".
export function flagList(flags: readonly string[]): string {
  return `(${flags.join(' ')})`;
}

/** RFC 3501 §7.1 PERMANENTFLAGS: system flags plus \* (clients may create keywords). */
export const PERMANENT_FLAGS = '(\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)';
export const FLAGS = '(\\Answered \\Flagged \\Deleted \\Seen \\Draft)';
