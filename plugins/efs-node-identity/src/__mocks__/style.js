// Stylesheets imported by Backstage UI components mean nothing in jsdom.
module.exports = {};
