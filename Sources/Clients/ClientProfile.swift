import CarteraCore

/// Everything Cartera knows about a client's identity: a persona física or a persona moral, with address and contacts.
/// This is the KYC identification data (4ª disposición); all of it is personal data and is stored encrypted.
///
/// JSON keys are the API's (`kind`, `individual`, `company`, `address`, `phones`, `email`).
public struct ClientProfile: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Persona física.
        case individual
        /// Persona moral.
        case company
    }

    public var kind: Kind
    public var individual: Individual?
    public var company: Company?
    public var address: Address
    /// Ten-digit Mexican numbers (normalised by `ClientValidation`).
    public var phones: [String]
    public var email: String?
    /// The IANA time zone the borrower lives in (`America/Tijuana`), when the address's state does not say it (border
    /// municipalities); collection contacts follow it.
    public var timeZone: String?

    public init(kind: Kind, individual: Individual? = nil, company: Company? = nil, address: Address, phones: [String], email: String? = nil, timeZone: String? = nil) {
        self.timeZone = timeZone
        self.kind = kind
        self.individual = individual
        self.company = company
        self.address = address
        self.phones = phones
        self.email = email
    }

    /// The name people see: «Nombre(s) Apellido Paterno Apellido Materno» or the razón social.
    public var displayName: String {
        switch kind {
        case .individual:
            guard let person = individual else { return "" }
            return [person.givenNames, person.paternalSurname, person.maternalSurname ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
        case .company:
            return company?.legalName ?? ""
        }
    }

    /// The RFC, when there is one.
    public var rfc: String? { kind == .individual ? individual?.rfc : company?.rfc }

    /// Persona física.
    public struct Individual: Sendable, Hashable, Codable {
        /// Nombre(s), without abbreviations.
        public var givenNames: String
        public var paternalSurname: String
        public var maternalSurname: String?
        /// `H` (hombre), `M` (mujer) or `X` (no binario), as in the CURP.
        public var sex: String
        public var birthDate: CalendarDate
        /// CURP state code of birth (`JC`, `DF`…; `NE` born abroad).
        public var birthState: String
        /// ISO 3166-1 alpha-2.
        public var birthCountry: String
        public var nationality: String
        public var occupation: String
        public var curp: String
        public var rfc: String?
        /// e.firma (FIEL) certificate serial number, when the client has one.
        public var efirmaSerial: String?

        public init(
            givenNames: String, paternalSurname: String, maternalSurname: String?, sex: String, birthDate: CalendarDate,
            birthState: String, birthCountry: String = "MX", nationality: String = "MX", occupation: String, curp: String,
            rfc: String? = nil, efirmaSerial: String? = nil
        ) {
            self.givenNames = givenNames
            self.paternalSurname = paternalSurname
            self.maternalSurname = maternalSurname
            self.sex = sex
            self.birthDate = birthDate
            self.birthState = birthState
            self.birthCountry = birthCountry
            self.nationality = nationality
            self.occupation = occupation
            self.curp = curp
            self.rfc = rfc
            self.efirmaSerial = efirmaSerial
        }
    }

    /// Persona moral.
    public struct Company: Sendable, Hashable, Codable {
        /// Razón social.
        public var legalName: String
        public var rfc: String
        public var incorporationDate: CalendarDate
        /// Giro / objeto social.
        public var businessActivity: String
        public var nationality: String
        public var efirmaSerial: String?
        /// Administradores, apoderados: who signs for the company.
        public var representatives: [Person]
        /// Beneficiarios controladores (propietarios reales) with their share of ownership.
        public var beneficialOwners: [Owner]

        public init(
            legalName: String, rfc: String, incorporationDate: CalendarDate, businessActivity: String, nationality: String = "MX",
            efirmaSerial: String? = nil, representatives: [Person], beneficialOwners: [Owner]
        ) {
            self.legalName = legalName
            self.rfc = rfc
            self.incorporationDate = incorporationDate
            self.businessActivity = businessActivity
            self.nationality = nationality
            self.efirmaSerial = efirmaSerial
            self.representatives = representatives
            self.beneficialOwners = beneficialOwners
        }
    }

    /// A person named in a company's file.
    public struct Person: Sendable, Hashable, Codable {
        public var name: String
        public var rfc: String?
        public var curp: String?

        public init(name: String, rfc: String? = nil, curp: String? = nil) {
            self.name = name
            self.rfc = rfc
            self.curp = curp
        }
    }

    /// A beneficial owner: a person and their ownership, in percent with up to two decimals (`"25.50"`).
    public struct Owner: Sendable, Hashable, Codable {
        public var name: String
        public var rfc: String?
        public var curp: String?
        public var ownershipPercent: String

        public init(name: String, rfc: String? = nil, curp: String? = nil, ownershipPercent: String) {
            self.name = name
            self.rfc = rfc
            self.curp = curp
            self.ownershipPercent = ownershipPercent
        }
    }

    /// Domicilio.
    public struct Address: Sendable, Hashable, Codable {
        public var street: String
        public var exteriorNumber: String
        public var interiorNumber: String?
        /// Colonia.
        public var neighborhood: String
        /// Municipio o alcaldía.
        public var municipality: String
        public var city: String
        /// CURP state code (`JC`, `DF`…).
        public var state: String
        /// Código postal: five digits.
        public var postalCode: String
        public var country: String

        public init(
            street: String, exteriorNumber: String, interiorNumber: String? = nil, neighborhood: String, municipality: String,
            city: String, state: String, postalCode: String, country: String = "MX"
        ) {
            self.street = street
            self.exteriorNumber = exteriorNumber
            self.interiorNumber = interiorNumber
            self.neighborhood = neighborhood
            self.municipality = municipality
            self.city = city
            self.state = state
            self.postalCode = postalCode
            self.country = country
        }
    }
}
