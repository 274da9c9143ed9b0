import { subscriptionCommand } from './subscribe_calendars.js';

/** See subscribe_calendars.ts. */
export default subscriptionCommand('unsubscribe_calendars');
