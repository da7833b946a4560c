import { dataPaths } from "../common/data-paths.js";
import { NO_METRICS, type Metrics } from "../common/metrics.js";
import { SqliteEmailStore } from "./email-store.js";
import { createMailer } from "./mailer.js";
import { Notifying } from "./notifying.js";

export interface NotificationCore {
  notifying: Notifying;
  close(): void;
}

export interface MailSettings {
  smtpUrl?: string;
  mailFrom: string;
}

export function openNotification(dataDir: string, mail: MailSettings, metrics: Metrics = NO_METRICS): NotificationCore {
  const paths = dataPaths(dataDir);
  const store = new SqliteEmailStore(paths.notificationDb);
  const mailer = createMailer({ smtpUrl: mail.smtpUrl, outboxDir: paths.outboxDir, from: mail.mailFrom });
  return {
    notifying: new Notifying(store, mailer, metrics),
    close: () => {
      mailer.close();
      store.close();
    },
  };
}
