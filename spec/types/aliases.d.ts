// The aliased dev dependencies that let one test run cover Express 4 and Passport 0.6 too;
// their APIs used here are typed the same as the current majors'.
declare module 'express4' {
  import express = require('express');
  export = express;
}
declare module 'passport06' {
  import passport = require('passport');
  export = passport;
}
