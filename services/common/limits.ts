/** The largest request or message either mode accepts; a valid order is far smaller (tens of KiB). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
